"""The review card shows how a post was read: the crisis kind, care guidance for
self-harm, the parts and what the post names, all escaped (the text is the public's)."""

from __future__ import annotations

from assistant.domain.models import Action, CrisisKind, Intent, NamedItem, PartReading, Severity, Triage
from assistant.slack.views.card import CardData, details_blocks, review_card


def _text(blocks: list[dict]) -> str:
    out = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            if isinstance(e, dict) and isinstance(e.get("text"), str):
                out.append(e["text"])
    return "\n".join(out)


def _card(triage: Triage, text: str) -> list[dict]:
    mention = {"source": "mastodon", "network": "mastodon", "author": "@sam", "text": text, "status": "awaiting"}
    return review_card(CardData("m:1", mention, triage=triage))[1]


def test_a_self_harm_post_shows_care_guidance_and_no_draft():
    t = Triage(language="en", intent=Intent.COMPLAINT, severity=Severity.HIGH,
                action=Action.ESCALATE, team="a person, with care", crisis=CrisisKind.SELF_HARM,
                reasons=["severity high: self-harm ('end it all')"])
    blocks = _card(t, "my order is late again and honestly I want to end it all")
    ids = [b.get("block_id") for b in blocks]
    assert ids.index("care") < ids.index("no_draft")
    text = _text(blocks)
    assert "Self-harm" in text and "point to local crisis support" in text and "Crisis: self-harm" in text
    assert "a person, with care" in text
    assert "*Crisis* self-harm" in _text(details_blocks(CardData("m:1", {"text": "x"}, triage=t)))


def test_parts_and_names_are_shown_and_escaped():
    t = Triage(language="en", intent=Intent.PRAISE, severity=Severity.LOW, action=Action.REPLY,
               parts=[PartReading(text="Mika <!channel> was lovely", intent=Intent.PRAISE, polarity="positive"),
                      PartReading(text="the price stings", intent=Intent.COMPLAINT, polarity="negative")],
               people=["Mika"], items=[NamedItem(name="cinnamon buns", kind="product", entry="cinnamon-bun")],
               order="A-20391", signed="Laura")
    reading = next(b for b in _card(t, "Mika was lovely, the price stings — Laura") if b.get("block_id") == "reading")
    # plain text: Slack shows "<!channel>", *stars* and links from the post as written, never as markup
    assert [e["type"] for e in reading["elements"]] == ["plain_text"]
    text = _text([reading])
    assert "Parts: praise: Mika <!channel> was lovely · complaint: the price stings" in text
    assert "Names: Mika · cinnamon buns (product) · order A-20391 · signed Laura" in text
