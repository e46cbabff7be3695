"""The storm desk's two ports (``assistant.storms.desk``), filled in for the Slack app:
the review core's decisions, and the runtime's statement outbox with its accounts. They
are here, above both, so that storms imports neither the review core nor the runtime."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant import review
from assistant.domain.ports import NetworkAction
from assistant.runtime import statements

if TYPE_CHECKING:
    from assistant.store import Store


class ReviewCore:
    """``storms.ports.Reviews`` over the review core: the same rules as a click on a card."""

    def __init__(self, reviewer: review.Review) -> None:
        self.reviewer = reviewer

    def approve(self, mention_id: str, actor: str, draft_id: int) -> Any:
        return review.approve(self.reviewer, mention_id, actor, draft_id)

    def hide(self, mention_id: str, actor: str, reason: str | None) -> NetworkAction:
        return review.hide(self.reviewer, mention_id, actor, reason)

    def rejected_by(self, mention_id: str) -> str | None:
        return review.rejected_by(self.reviewer.store, mention_id)


class RuntimeStatementOutbox:
    """``storms.ports.StatementOutbox`` over ``assistant.runtime.statements``: the brand's
    accounts are the runtime's, and a click's delivery backs off as the outbox worker does."""

    def __init__(self, store: Store, runtime: Any, default_brand: str | None) -> None:
        self.store = store
        self.runtime = runtime
        self.default_brand = default_brand

    def accounts(self, brand: str | None) -> dict[str, Any]:
        return statements.accounts(self.runtime, brand, self.default_brand)

    def posts(self, spike_id: int) -> list[dict[str, Any]]:
        return statements.posts(self.store, spike_id)

    def is_posted(self, spike_id: int) -> bool:
        return statements.is_posted(self.store, spike_id)

    def approve(self, spike_id: int, text: str, language: str, actor: str, on: list[str], at: datetime,
                also: dict[str, str]) -> bool:
        return statements.approve(self.store, spike_id, text, language, actor, on, at=at, also=also)

    def deliver(self, spike_id: int, accounts: dict[str, Any]) -> list[dict[str, Any]]:
        worker = getattr(self.runtime, "worker", None)
        backoff = worker.backoff if worker is not None else statements.default_backoff
        return statements.deliver(self.store, spike_id, accounts, backoff=backoff)

    def retry(self, spike_id: int, actor: str) -> int:
        return statements.retry(self.store, spike_id, actor)

    def problems(self, text: str, on: dict[str, Any]) -> list[str]:
        return statements.problems(text, on)
