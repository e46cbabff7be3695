"""Build the chat messages for a draft from the policy and the prompt templates."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..domain import Intent, Mention
from ..policy import Policy

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

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


def build_messages(policy: Policy, mention: Mention, intent: Intent, language: str, max_length: int,
                   instruction: str | None = None) -> list[dict[str, str]]:
    book = policy.playbook(intent)
    voice = policy.voice
    examples = "\n".join(f'Message: "{e.mention}"\nReply: "{e.reply}"' for e in (book.examples if book else []))
    gestures = [g for g in policy.gestures if intent in g.intents]
    gesture_text = ("Offers you may make, if it helps: " + "; ".join(g.offer for g in gestures) + ". No other offers.\n"
                    if gestures else "Make no offers, discounts or refunds.\n")
    system = _template("draft_system.txt").format(
        brand=policy.brand.name,
        language_name=LANGUAGE_NAMES.get(language, language),
        formality=voice.formality,
        max_length=max_length,
        emoji_max=voice.emoji.max,
        forbidden="; ".join(f'"{p}"' for p in voice.forbidden_phrases) or "none",
        intent=intent.value,
        goal=book.goal if book else "Reply helpfully.",
        steps="\n".join(f"{n}. {s}" for n, s in enumerate(book.steps if book else [], 1)) or "1. Reply helpfully.",
        facts="\n".join(f"- {v}" for v in policy.facts_in(language).values()) or "- (none)",
        gestures=gesture_text,
        examples=examples or "(none)",
    )
    extra = ""
    if instruction:
        extra = "Note from our team: " + INSTRUCTIONS.get(instruction.strip().lower(), sanitize(instruction, 300)) + "\n"
    user = _template("draft_user.txt").format(
        author=sanitize(mention.author or "someone", 80), network=mention.network_name,
        text=sanitize(mention.text), instruction=extra,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


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
