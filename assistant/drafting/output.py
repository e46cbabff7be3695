"""Tidying what a model generated, before any check reads it.

A small model wraps its answer in a "Reply:" label or quotes, scatters emoji, adds notes
after a blank line and stops mid-sentence at its token limit. ``clean_output`` tidies the
one sentence the drafter asks for (drafter.py); ``clean_reply`` a whole reply the writer
asks for (writer.py). Both take out the same things; they live here, below both, so that
neither module imports the other.
"""

from __future__ import annotations

import re

from assistant.text.sentences import drop_unfinished, is_reply_emoji

_QUOTES = "\"'“”«»„"
# One sentence: the model labels it as a reply or an answer.
_SENTENCE_LABEL = re.compile(r"^\s*(?:our reply|reply|answer|response)\s*:\s*", re.I)
# A whole reply: also "Draft:" and "Reply in Finnish:".
_REPLY_LABEL = re.compile(r"^\s*(?:our reply|reply|answer|response|draft)\s*(?:in \w+)?\s*:\s*", re.I)


def trim_emoji(text: str, keep: int) -> str:
    """Keep the first ``keep`` emoji: the small model scatters them everywhere."""
    out, seen = [], 0
    for ch in text:
        if is_reply_emoji(ch):
            seen += 1
            if seen > keep:
                continue
        out.append(ch)
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).replace("\ufe0f", "" if keep == 0 else "\ufe0f")


def clean_output(text: str, max_emoji: int = 1) -> str:
    """Tidy a raw generation: drop a "Reply:" label, wrapping quotes, extra emoji and a cut-off last sentence."""
    text = trim_emoji(_SENTENCE_LABEL.sub("", text.strip()), max_emoji)
    text = text.split("\n")[0].strip()
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    # "…" or an emoji ends a short sentence well, but the cut goes back only to . ! ?
    text = drop_unfinished(text, ends=".!?", finished="…)☕💛")
    return text.strip()


def clean_reply(text: str, max_emoji: int | None = None, cut_off: bool = False) -> str:
    """Tidy a whole generated reply: drop a "Reply:" label and wrapping quotes, keep
    what comes before the first blank line (the model's notes follow it), join its
    lines, and with ``cut_off`` (the generation hit its token limit) drop an
    unfinished last sentence. ``max_emoji``: keep the first so many emoji."""
    text = _REPLY_LABEL.sub("", text.strip())
    text = re.split(r"\n\s*\n", text, maxsplit=1)[0]
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    text = _REPLY_LABEL.sub("", text).strip()
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    if max_emoji is not None:
        text = trim_emoji(text, max_emoji)
    if cut_off:
        text = drop_unfinished(text)
    return text.strip()
