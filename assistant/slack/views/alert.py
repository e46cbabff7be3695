"""Block Kit for a spike (a shitstorm): the alert card in the escalation channel, the
statement's Edit form, the "answer the group" list, and the line a member's review card
carries. Pure functions: no Slack calls here. Every text from the public (representative
posts, authors, common words) is escaped. (The super-fans in App Home are in ``views.home``.)"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from assistant.slack.views.elements import SECTION_LIMIT, Block, clip, md, network_label, plain
from assistant.slack.views.mrkdwn import escape, safe_url, who
from assistant.storms.spike import Spike

APPROVE, EDIT, ANSWER, HIDE = "spike_statement_approve", "spike_statement_edit", "spike_answer_group", "spike_hide"
RETRY = "spike_statement_retry"
EDIT_VIEW, ANSWER_VIEW = "spike_statement_edit", "spike_answer_group"
MAX_LISTED = 90  # replies one "answer the group" form lists (a modal holds 100 blocks)


@dataclass
class AlertData:
    spike: Spike
    statement: str
    statement_language: str
    statement_passed: bool
    topic: str
    posted: list[dict[str, Any]] = field(default_factory=list)  # statement_posts rows, once approved
    to_answer: int = 0  # open, not abusive: what "answer the group" would send
    to_hide: int = 0  # open and abusive
    local_outbox: str | None = None
    crisis: list[dict[str, Any]] = field(default_factory=list)  # open crisis members: to a person, one by one
    versions: list[dict[str, Any]] = field(default_factory=list)  # the statement in the storm's other languages
    missing: list[str] = field(default_factory=list)  # storm languages the crisis playbook has no text for


def value(spike_id: int) -> str:
    return json.dumps({"s": spike_id})


def spike_of(raw: str) -> int:
    return int(json.loads(raw)["s"])


def _counts(counts: dict[str, int], label: Any = str) -> str:
    return ", ".join(f"{escape(label(k) or '?')} {v}" for k, v in sorted(counts.items(), key=lambda p: (-p[1], p[0])))


def alert_card(data: AlertData) -> tuple[str, list[Block]]:
    """(fallback text, blocks) of the alert card."""
    s = data.spike
    calm = s.status == "calm"
    hours = s.window_minutes / 60
    span = "the last hour" if s.window_minutes == 60 else f"the last {s.window_minutes} minutes"
    head = (f"✅ Calmed down: {s.members} posts about {data.topic}" if calm
            else f"🌩️ Spike: {s.members} negative posts about {data.topic}")
    fallback = f"{head} ({s.posts_in_window} in {span})"
    blocks: list[Block] = [{"type": "header", "block_id": "spike_head", "text": plain(clip(head, 150)[0])}]
    numbers = [
        f"*How many:* {s.members} in the group since {escape(s.first_at[11:16])} UTC; "
        f"{s.posts_in_window} in {span}, usually {s.usual_per_hour * hours:.1f} ({s.growth:.0f}x)",
        f"*All negative posts:* {s.negative_in_window} in {span}, usually {s.negative_usual_per_hour * hours:.1f}",
        f"*Where:* languages {_counts(s.languages)} · networks {_counts(s.networks, network_label)}",
    ]
    if s.common_words:
        numbers.append("*Common words:* " + escape(", ".join(s.common_words)))
    if s.abusive:
        numbers.append(f"*Below the belt:* {s.abusive} abusive (hide rather than answer)")
    if calm:
        numbers.append(f"*Calm* since {escape(s.calmed_at or '')}: {s.posts_in_window} in {span} (peak {s.peak})")
    blocks.append({"type": "section", "block_id": "spike_numbers", "text": md(clip("\n".join(numbers), SECTION_LIMIT)[0])})
    if s.representative:
        quotes = "\n".join(f"> {escape(clip(' '.join(r.text.split()), 280, 'post')[0])} _({escape(r.language)})_"
                           for r in s.representative)
        blocks.append({"type": "section", "block_id": "spike_posts",
                       "text": md(clip("*What they say*\n" + quotes, SECTION_LIMIT)[0])})
    if data.crisis:
        blocks.append({"type": "section", "block_id": "spike_crisis", "text": md(clip(crisis_line(data.crisis), SECTION_LIMIT)[0])})
    blocks.append({"type": "divider"})
    guard = "" if data.statement_passed else " ⚠️ _fails the draft guard: use Edit_"
    when = "" if data.posted else " _(its next update time is set when it is approved)_"
    title = f"*Consolidated statement* ({escape(data.statement_language)}){guard}{when}\n"
    body = escape(data.posted[0]["text"] if data.posted else data.statement)
    blocks.append({"type": "section", "block_id": "spike_statement",
                   "text": md(clip(title + "```" + body + "```", SECTION_LIMIT, "statement")[0])})
    first = data.posted[0]["language"] if data.posted else data.statement_language
    others = ([{"language": r["language"], "text": r["text"]} for r in data.posted if r["language"] != first]
              if data.posted else data.versions)
    seen: set[str] = set()
    for version in others:
        if version["language"] in seen:
            continue  # one row per account: show each language once
        seen.add(version["language"])
        blocks.append({"type": "section", "block_id": f"spike_statement_{version['language']}"[:255],
                       "text": md(clip(f"*Also in {escape(version['language'])}*\n```{escape(version['text'])}```",
                                       SECTION_LIMIT, "statement")[0])})
    if data.missing:
        langs = ", ".join(escape(m) for m in data.missing)
        blocks.append({"type": "context", "block_id": "spike_missing", "elements": [md(
            f"⚠️ Not written in {langs}: the policy's crisis playbook has no texts in {langs}. Add them "
            "(crisis.playbook) to post a version for those posts.")]})
    if data.posted:
        blocks.append({"type": "context", "block_id": "spike_posted", "elements": [md(_posted_line(data))]})
    actions: list[Block] = []
    if not data.posted:
        where = f"save to {data.local_outbox}" if data.local_outbox else "post on our accounts"
        actions += [
            {"type": "button", "action_id": APPROVE, "style": "primary", "value": value(s.id),
             "text": plain(f"Approve statement ({where})"[:75]),
             "confirm": {"title": plain("Post the statement?"), "text": plain(f"It will {where}, once."),
                         "confirm": plain("Approve"), "deny": plain("Not yet")}},
            {"type": "button", "action_id": EDIT, "value": value(s.id), "text": plain("Edit statement")},
        ]
    if any(r["status"] == "failed" for r in data.posted):
        actions.append({"type": "button", "action_id": RETRY, "style": "primary", "value": value(s.id),
                        "text": plain("Retry statement")})
    if data.to_answer:
        actions.append({"type": "button", "action_id": ANSWER, "value": value(s.id),
                        "text": plain(f"Answer the group ({data.to_answer})")})
    if data.to_hide:
        actions.append({"type": "button", "action_id": HIDE, "style": "danger", "value": value(s.id),
                        "text": plain(f"Hide the abusive ({data.to_hide})"),
                        "confirm": {"title": plain("Hide the abusive posts?"),
                                    "text": plain(f"{data.to_hide} posts triaged as abuse are hidden or reported "
                                                  "where the network allows it, and closed here."),
                                    "confirm": plain("Hide them"), "deny": plain("Cancel"), "style": "danger"}})
    if actions:
        blocks.append({"type": "actions", "block_id": f"spike_actions_{s.id}", "elements": actions})
    return clip(fallback, 3000)[0], blocks


def _posted_line(data: AlertData) -> str:
    first = data.posted[0]
    parts = []
    several = len({r["language"] for r in data.posted}) > 1
    for row in data.posted:
        url = safe_url(row.get("posted_url"))
        name = "the local outbox" if row["account"] == "local" else escape(row["account"])
        if several:
            name += f" ({escape(row['language'])})"
        if row["status"] == "posted":
            parts.append(f"posted on {name}" + (f" (<{url}|view>)" if url else ""))
        elif row["status"] == "failed":
            parts.append(f"⚠️ not posted on {name} after {row['attempts']} attempts: "
                         f"{escape(row.get('last_error') or '')} (Retry statement posts it again)")
        elif row.get("last_error") and row.get("next_attempt_at"):
            parts.append(f"⏳ not posted on {name} yet: {escape(row['last_error'])}; trying again at "
                         f"{escape(str(row['next_attempt_at'])[11:16])} UTC (attempt {row['attempts'] + 1})")
        else:
            parts.append(f"posting on {name} …")
    return clip(f"📬 Statement approved by {who(first['approved_by'])}: " + "; ".join(parts), 2900)[0]


def edit_view(spike_id: int, texts: dict[str, str]) -> dict[str, Any]:
    """One input per language version; the first (the most spoken) is block ``statement``,
    the others ``statement_<language>``."""
    several = len(texts) > 1
    blocks = []
    for i, (language, text) in enumerate(texts.items()):
        label = f"The consolidated statement ({language})" if several else "The consolidated statement"
        blocks.append({"type": "input", "block_id": version_block(language, i == 0), "label": plain(label[:2000]),
                       "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                                   "max_length": 3000, "initial_value": text[:3000]}})
    return {"type": "modal", "callback_id": EDIT_VIEW, "private_metadata": value(spike_id),
            "title": plain("Edit statement"), "submit": plain("Approve"), "close": plain("Cancel"), "blocks": blocks}


def version_block(language: str, first: bool) -> str:
    return "statement" if first else f"statement_{language}"


def _who_listed(group: list[dict[str, Any]], limit: int = 20) -> str:
    names = [f"{escape(g['author'] or 'someone')} ({escape(network_label(g['network']))})" for g in group[:limit]]
    return ", ".join(names) + (f" and {len(group) - limit} more" if len(group) > limit else "")


def crisis_line(group: list[dict[str, Any]]) -> str:
    """The alert card's line for the crisis members: they go to a person, never with the group."""
    return (f"*🚨 To a person:* {len(group)} crisis posts (high severity or escalated) are not in the group "
            f"answer; answer each on its own card: {_who_listed(group)}")


def answer_view(spike_id: int, replies: list[dict[str, Any]], left_out: int,
                crisis: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The replies that will go, one per post (author, language, text); submit approves them.
    Crisis members are listed apart: they are not answered by this form."""
    blocks: list[Block] = [{"type": "section", "block_id": "intro", "text": md(
        f"*{len(replies)} replies* pointing to the statement. Each is approved through the review "
        "queue and posted once." + (f" {left_out} more after these: open this again." if left_out else ""))}]
    if crisis:
        blocks.append({"type": "section", "block_id": "crisis", "text": md(clip(
            f"*🚨 {len(crisis)} crisis posts are not answered here* (high severity or escalated): a person "
            f"answers each on its own card: {_who_listed(crisis)}", SECTION_LIMIT)[0])})
    for r in replies:
        line = (f"*{escape(r['author'] or 'someone')}* · {escape(network_label(r['network']))} · "
                f"{escape(r['language'])}\n> {escape(' '.join((r['post'] or '').split()))[:400]}\n{escape(r['text'])}")
        blocks.append({"type": "section", "block_id": f"r{r['draft_id']}", "text": md(clip(line, SECTION_LIMIT)[0])})
    meta = json.dumps({"s": spike_id, "d": [r["draft_id"] for r in replies]})
    return {"type": "modal", "callback_id": ANSWER_VIEW, "private_metadata": meta,
            "title": plain("Answer the group"), "submit": plain(f"Approve {len(replies)}"[:24]),
            "close": plain("Cancel"), "blocks": blocks}


def member_line(spike: Spike, topic: str, link: str | None) -> str:
    """The line on a member's review card: part of a spike, with a link to its alert card."""
    where = f"<{link}|alert card>" if link else "the alert card in the escalation channel"
    state = "calmed down" if spike.status == "calm" else f"{spike.members} posts"
    return f"🌩️ Part of a spike about {escape(topic)} ({state}): see the {where}; the statement answers them together."


def card_extra(lines: list[str]) -> list[Block]:
    return [{"type": "context", "block_id": "spike_fan", "elements": [md(clip(line, 2900)[0]) for line in lines]}] \
        if lines else []


def as_text(blocks: list[Block]) -> str:
    """A card as plain lines for a terminal (the storm demo)."""
    out: list[str] = []
    for b in blocks:
        if b["type"] in ("header", "section"):
            out.append(b["text"]["text"])
        elif b["type"] == "context":
            out += [e.get("text", "") for e in b["elements"]]
        elif b["type"] == "divider":
            out.append("─" * 40)
        elif b["type"] == "actions":
            out.append("  ".join(f"[{e['text']['text']}]" for e in b["elements"]))
    text = "\n".join(out)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
