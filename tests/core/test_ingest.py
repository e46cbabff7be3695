"""Ingest: JSON lines or CSV; a bad line is named by number and the rest still go in."""

from __future__ import annotations

import json

from assistant.connectors.file_import import parse_mentions


def test_jsonl_with_a_malformed_line_keeps_the_others(store):
    lines = [
        json.dumps({"id": "1", "source": "mastodon", "author": "@a", "text": "Love the roast!"}),
        '{"id": "2", "text": "broken',
        json.dumps({"id": "3", "source": "mastodon", "text": "Do you ship to Germany?"}),
        json.dumps({"id": "4", "source": "mastodon"}),  # no text
        "",
        json.dumps({"id": "5", "source": "bluesky", "text": "Kiitos!"}),
    ]
    parsed = parse_mentions("\n".join(lines))
    assert [m.external_id for m in parsed.mentions] == ["1", "3", "5"]
    assert len(parsed.errors) == 2
    assert parsed.errors[0].startswith("line 2:") and "JSON" in parsed.errors[0]
    assert parsed.errors[1].startswith("line 4:") and "text" in parsed.errors[1]
    assert len(store.add_mentions(parsed.mentions)) == 3


def test_csv_works():
    text = ("id,source,author,text,url,created_at\n"
            "c1,mastodon,@ann,\"Great coffee, thanks!\",https://m.example/1,2024-05-01T10:00:00Z\n"
            "c2,bluesky,@bo,Do you ship to Spain?,,\n")
    parsed = parse_mentions(text)
    assert parsed.errors == []
    assert [(m.external_id, m.source, m.text) for m in parsed.mentions] == [
        ("c1", "mastodon", "Great coffee, thanks!"), ("c2", "bluesky", "Do you ship to Spain?")]
    assert parsed.mentions[0].url == "https://m.example/1"
    assert parsed.mentions[1].url is None


def test_missing_id_gets_a_stable_id():
    record = json.dumps({"source": "mastodon", "author": "@a", "text": "No id here",
                         "created_at": "2024-05-01T10:00:00Z"})
    first = parse_mentions(record).mentions[0].external_id
    second = parse_mentions(record).mentions[0].external_id
    assert first == second and first.startswith("h-")
    other = parse_mentions(record.replace("No id here", "Different text")).mentions[0].external_id
    assert other != first


def test_missing_id_twice_is_stored_once(store):
    record = json.dumps({"source": "mastodon", "author": "@a", "text": "No id here"})
    assert len(store.add_mentions(parse_mentions(record).mentions)) == 1
    assert store.add_mentions(parse_mentions(record).mentions) == []
    assert store.count("mentions") == 1
