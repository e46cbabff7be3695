"""The core pipeline, handed its collaborators: ingest -> triage -> draft -> guard -> store.

Everything that reacts to a mention (CLI, demo, Slack app, pollers, webhooks)
goes through ``Engine`` so the rules live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain.errors import AssistantError
from assistant.domain.models import Action, CrisisKind, Draft, GuardCheck, Mention, Triage
from assistant.drafting.drafter import Drafter
from assistant.drafting.guard import check_draft
from assistant.ml.generation import ModelBackend, create_backend
from assistant.policy.models import Policy
from assistant.policy.registry import PolicyRegistry
from assistant.settings import Settings
from assistant.store import Store
from assistant.triage import Triager


@dataclass
class Processed:
    mention_id: str
    mention: Mention
    triage: Triage
    draft: Draft | None
    draft_id: int | None


class Engine:
    def __init__(self, settings: Settings, store: Store, policies: PolicyRegistry,
                 backend: ModelBackend | None = None) -> None:
        self.settings = settings
        self.store = store
        self.policies = policies
        self._backend = backend
        self.triager = Triager()

    @property
    def backend(self) -> ModelBackend:
        """The model backend, created on first use (loading a model is slow)."""
        if self._backend is None:
            self._backend = create_backend(self.settings)
        return self._backend

    def policy(self, brand: str | None = None) -> Policy:
        return self.policies.get(brand or self.settings.brand)

    def drafter(self, brand: str | None = None) -> Drafter:
        from assistant.drafting.memory import ReplyMemory
        from assistant.insights.superfans import fan_lookup

        policy = self.policy(brand)
        brand_id = policy.id or brand or self.settings.brand or ""
        memory = ReplyMemory(self.store, brand_id, default_brand=brand_id == (self.settings.brand or policy.id))
        return Drafter(self.backend, policy, self.settings, memory=memory, fans=fan_lookup(self.store, policy))

    # -- single steps ---------------------------------------------------------------------

    def triage(self, mention: Mention, brand: str | None = None) -> Triage:
        return self.triager.triage(mention.text, self.policy(brand))

    def draft(self, mention: Mention, triage: Triage, brand: str | None = None,
              instruction: str | None = None) -> Draft | None:
        """A guarded draft, or None where the action is not a reply (hide, ignore, escalate)."""
        if triage.action is not Action.REPLY:
            return None
        return self.drafter(brand).draft(mention, triage, instruction=instruction)

    def check(self, text: str, mention: Mention, triage: Triage, brand: str | None = None) -> list[GuardCheck]:
        """Guard a person's edited text with the same checks as a model draft."""
        return check_draft(text, mention, triage, self.policy(brand))

    # -- whole units of work, recorded in the store ------------------------------------------

    def ingest(self, mentions: Iterable[Mention], brand: str | None = None) -> list[str]:
        return self.store.add_mentions(mentions, brand)

    def _stored(self, mention_id: str, brand: str | None) -> tuple[Mention, str | None]:
        """A stored mention and the brand it was stored for (unless one is named)."""
        mention = self.store.mention(mention_id)
        return mention, brand or (self.store.get_mention(mention_id) or {}).get("brand")

    def process(self, mention_id: str, brand: str | None = None) -> Processed:
        """Triage and draft a stored mention (again, if asked twice: drafts are versioned)."""
        mention, brand = self._stored(mention_id, brand)
        triage = self.store.triage(mention_id)
        if triage is None:
            triage = self.triage(mention, brand)
            draft = self.draft(mention, triage, brand)
            # Triage and draft land together: the mention waits for a person only when complete.
            draft_id = self.store.save_triage(mention_id, triage, draft)
            return Processed(mention_id, mention, triage, draft, draft_id)
        draft = self.draft(mention, triage, brand)
        draft_id = self.store.add_draft(mention_id, draft) if draft is not None else None
        return Processed(mention_id, mention, triage, draft, draft_id)

    def regenerate(self, mention_id: str, instruction: str | None = None, brand: str | None = None) -> Processed:
        mention, brand = self._stored(mention_id, brand)
        triage = self.store.triage(mention_id) or self.triage(mention, brand)
        if triage.crisis is CrisisKind.SELF_HARM:
            # Never an automated brand reply to someone who may be at risk.
            raise AssistantError("no draft is written for a post about self-harm",
                                 "a trained person answers in their own words: use Edit, or reach out privately",
                                 code="drafting.refused.self_harm")
        if triage.action is not Action.REPLY:
            # A person asked for a draft anyway (e.g. for an escalated complaint): give one.
            triage = triage.model_copy(update={"action": Action.REPLY})
        # Each Regenerate asks for the next variant: other phrasings, never the same text again.
        variant = self.store.draft_count(mention_id)
        draft = self.drafter(brand).draft(mention, triage, instruction=instruction, variant=variant)
        draft_id = self.store.add_draft(mention_id, draft, instruction=instruction)
        return Processed(mention_id, mention, triage, draft, draft_id)
