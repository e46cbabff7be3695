"""Build the chat messages for the model's sentence from the policy and the prompt templates."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from assistant.domain.models import Intent, Mention
from assistant.policy.models import Policy


def _prompts_dir() -> Traversable:
    """Where the prompt templates are. The templates live in the top-level prompts/ folder
    (edited there, beside the README); the wheel carries them inside the package as
    assistant/prompts (setup.py maps the folder), so an installed copy reads its own.
    A source checkout has no assistant/prompts and reads the folder itself."""
    shipped = resources.files("assistant") / "prompts"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "prompts"


PROMPTS_DIR = _prompts_dir()

LANGUAGE_NAMES = {
    "en": "English", "fi": "Finnish", "nl": "Dutch", "el": "Greek", "fa": "Persian", "lv": "Latvian",
    "de": "German", "es": "Spanish", "fr": "French", "sv": "Swedish", "it": "Italian", "pt": "Portuguese",
    "da": "Danish", "nb": "Norwegian", "pl": "Polish", "et": "Estonian",
}

INSTRUCTIONS = {
    "shorter": "Make the reply shorter: one or two sentences.",
    "warmer": "Make the reply warmer and more personal.",
    "formal": "Make the reply more formal.",
    "more formal": "Make the reply more formal.",
}

# Anything that could close our quote or open a new chat turn is removed from public text.
_CONTROL = re.compile(r"<<<\s*MESSAGE|MESSAGE\s*>>>|<\|[^|>]{0,40}\|>|</?s>|\[/?INST\]", re.I)


def sanitize(text: str, limit: int = 2000) -> str:
    return _CONTROL.sub(" ", text)[:limit]


@lru_cache(maxsize=8)
def _template(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


# Sentences like the one the model adds, per intent, when no approved reply is close.
SENTENCE_EXAMPLES = {
    Intent.PRAISE: ["Your first morning at the café with the cinnamon buns sounds lovely.",
                    "We love that the flat white was the highlight of your week."],
    Intent.COMPLAINT: ["Waiting all week for your beans is not the start to the morning you wanted.",
                       "A cold cup after a long queue is frustrating, we get it."],
    Intent.QUESTION: ["A trip to Helsinki with friends sounds lovely."],
    Intent.SUGGESTION: ["A smaller bag for trying new beans sounds like a lovely idea."],
}


def build_sentence_messages(policy: Policy, mention: Mention, intent: Intent, language: str, reply: str,
                            examples: list[str], instruction: str | None = None) -> list[dict[str, str]]:
    """Ask for the one warm, specific sentence the policy's parts cannot write."""
    shown = examples or SENTENCE_EXAMPLES.get(intent, [])
    system = _template("draft_sentence_system.txt").format(
        brand=policy.brand.name, language_name=LANGUAGE_NAMES.get(language, language),
        emoji_max=min(policy.voice.emoji.max, 1),
        examples="\n".join(f'- "{sanitize(e, 300)}"' for e in shown[:3]) or "(none)",
    )
    extra = ""
    if instruction:
        extra = "Note from our team: " + INSTRUCTIONS.get(instruction.strip().lower(), sanitize(instruction, 300)) + "\n"
    user = _template("draft_sentence_user.txt").format(
        author=sanitize(mention.author or "someone", 80), network=mention.network_name,
        text=sanitize(mention.text), reply=sanitize(reply, 600), instruction=extra,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
