"""Bad input to `assistant ingest` and `assistant triage`: each bad line is rejected
with its line number and a one-line reason, and every good line around it is kept.

Each test runs the real console script on a real SQLite file where a user would.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

from assistant.domain.models import Mention
from assistant.store import Store
from assistant.store.schema import core
from devtools.fakes import FAKE_MODEL, PYTHONPATH

from .conftest import ASSISTANT, POLICY_FILE


def stored(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM mentions ORDER BY id")]
    finally:
        conn.close()


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The user saw no traceback and exactly one error line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


# -- 1. lone surrogates ---------------------------------------------------------------------------

def test_a_lone_surrogate_line_is_rejected_and_the_good_lines_are_stored(run_cli, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text(jsonl({"id": "1", "text": "first good"},
                       '{"id": "2", "text": "broken \\ud800 half an emoji"}',
                       {"id": "3", "text": "last good"}), encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout.strip() == "2 new, 0 already stored, 1 rejected"
    assert "line 2:" in r.stderr and "surrogate" in r.stderr
    assert [m["external_id"] for m in stored(tmp_path / "cli.db")] == ["1", "3"]


def test_a_file_of_mixed_unicode_keeps_every_good_line(run_cli, tmp_path):
    texts = ["Kahvi oli hyvää ☕", "Der Kaffee war großartig", "コーヒーが美味しい", "القهوة رائعة",
             "Кофе отличный", "👩‍👩‍👧 loved it", "e\u0301spresso with a combining accent", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 maths letters",
             "zero\u200bwidth space", "한국어 리뷰", "RTL \u202e mark", "a pair escaped 😀"]
    lines = [{"id": str(i), "text": t} for i, t in enumerate(texts, 1)]
    f = tmp_path / "mixed.jsonl"
    body = jsonl(*lines).replace("😀", "\\ud83d\\ude00")  # a valid pair, written as JSON escapes
    body += '{"id": "13", "text": "tail \\udfff alone"}\n'
    f.write_text(body, encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip() == "12 new, 0 already stored, 1 rejected"
    assert "line 13:" in r.stderr
    rows = {m["external_id"]: m["text"] for m in stored(tmp_path / "cli.db")}
    assert rows == {str(i): t for i, t in enumerate(texts, 1)}


def test_the_store_repairs_a_lone_surrogate_instead_of_losing_the_batch(store):
    """Pollers and webhooks go straight to the store: one broken post must not roll back the rest."""
    good = Mention(source="mastodon", external_id="1", text="fine")
    broken = Mention(source="mastodon", external_id="2", text="cut emoji \ud83d", author="ann\udc80")
    assert store.add_mentions([good, broken]) == ["mastodon:1", "mastodon:2"]
    assert store.get_mention("mastodon:2")["text"] == "cut emoji \ufffd"
    assert [e["kind"] for e in store.events("mastodon:2")] == ["ingested", "input_repaired"]


# -- 2. an unterminated quote in a CSV -------------------------------------------------------------

def good_csv_rows(n: int, start: int = 1) -> list[list[str]]:
    return [[str(i), "import", f"user{i}", f"Row {i}, with a comma and \"quotes\"", "", ""]
            for i in range(start, start + n)]


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = ("id", "source", "author", "text", "url",
                                                                            "created_at")) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_an_unterminated_quote_in_a_csv_is_rejected_and_the_rows_after_it_are_kept(run_cli, tmp_path):
    f = tmp_path / "m.csv"
    write_csv(f, good_csv_rows(1000, start=2))
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, '1,import,ann,"This quote never closes,,\n')
    f.write_text("".join(lines), encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip() == "1000 new, 0 already stored, 1 rejected"
    assert "line 2:" in r.stderr and "quote" in r.stderr
    rows = stored(tmp_path / "cli.db")
    assert len(rows) == 1000 and max(len(m["text"]) for m in rows) < 100
    assert {m["external_id"] for m in rows} == {str(i) for i in range(2, 1002)}


def test_an_unclosed_quote_that_a_later_row_closes_does_not_merge_rows(run_cli, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text('id,source,author,text,url,created_at\n'
                 '1,import,ann,"broken start,,\n'
                 '2,import,bob,plain row,,\n'
                 '3,import,cat,"a quoted, row",,\n'
                 '4,import,dan,last,,\n', encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip() == "3 new, 0 already stored, 1 rejected"
    assert "line 2:" in r.stderr
    assert {m["external_id"]: m["text"] for m in stored(tmp_path / "cli.db")} == {
        "2": "plain row", "3": "a quoted, row", "4": "last"}


def test_a_quoted_text_over_several_lines_is_still_one_mention(run_cli, tmp_path):
    f = tmp_path / "m.csv"
    write_csv(f, [["1", "import", "ann", "Line one\nline two\n\nline four", "", ""], *good_csv_rows(2, start=2)])
    r = run_cli("ingest", str(f))
    assert r.stdout.strip() == "3 new, 0 already stored, 0 rejected", r.stderr
    assert stored(tmp_path / "cli.db")[0]["text"] == "Line one\nline two\n\nline four"


def test_a_csv_row_with_more_fields_than_the_header_is_rejected(run_cli, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,author,text\n1,ann,hello, world\n2,bob,fine\n", encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert r.stdout.strip() == "1 new, 0 already stored, 1 rejected", r.stderr
    assert "line 2:" in r.stderr and "4 fields" in r.stderr and "quote" in r.stderr


# -- 3. binary and invalid UTF-8, huge fields -------------------------------------------------------

def test_a_binary_file_is_one_line_error_for_ingest_and_triage(run_cli, tmp_path):
    f = tmp_path / "photo.jpg"
    f.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20)
    for args in (["ingest", str(f)], ["triage", str(f)], ["ingest", "-"], ["triage", "-"]):
        result = subprocess.run([str(ASSISTANT), *args], input=f.read_bytes(), capture_output=True,
                                env=_env(tmp_path), cwd=tmp_path, timeout=120)
        r = subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(),
                                        result.stderr.decode())
        assert r.returncode == 1, (args, r.stderr)
        line = one_line_error(r)
        assert "binary" in line and "UTF-8" in line, line
    assert not (tmp_path / "cli.db").exists() or stored(tmp_path / "cli.db") == []


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
    env.update({"ASSISTANT_DB_PATH": str(tmp_path / "cli.db"), "ASSISTANT_POLICIES_DIR": str(tmp_path / "policies"),
                "ASSISTANT_BACKEND": FAKE_MODEL, "PYTHONPATH": PYTHONPATH, "HF_HUB_OFFLINE": "1"})
    return env


def test_an_invalid_utf8_line_is_rejected_and_the_rest_stored_from_a_file_or_stdin(run_cli, tmp_path):
    data = (b'{"id": "1", "text": "good one"}\n'
            b'{"id": "2", "text": "latin-1 caf\xe9"}\n'
            b'{"id": "3", "text": "good three"}\n')
    f = tmp_path / "m.jsonl"
    f.write_bytes(data)
    for args, db in ((["ingest", str(f)], "a.db"), (["ingest", "-"], "b.db")):
        env = {**_env(tmp_path), "ASSISTANT_DB_PATH": str(tmp_path / db)}
        p = subprocess.run([str(ASSISTANT), *args], input=data, capture_output=True, env=env, cwd=tmp_path,
                           timeout=120)
        out, err = p.stdout.decode(), p.stderr.decode()
        assert "Traceback" not in err, err
        assert out.strip() == "2 new, 0 already stored, 1 rejected"
        assert "line 2:" in err and "UTF-8" in err
        assert [m["external_id"] for m in stored(tmp_path / db)] == ["1", "3"]
    p = subprocess.run([str(ASSISTANT), "triage", "-", "--json"], input=data, capture_output=True,
                       env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert "Traceback" not in p.stderr.decode() and "line 2:" in p.stderr.decode()
    assert [json.loads(x)["id"] for x in p.stdout.decode().splitlines()] == ["1", "3"]


def test_a_csv_field_over_128_kb_is_rejected_with_its_line_and_the_rest_kept(run_cli, tmp_path):
    f = tmp_path / "m.csv"
    write_csv(f, [["1", "import", "ann", "ok", "", ""], ["2", "import", "bob", "x" * 200_000, "", ""],
                  ["3", "import", "cat", "also ok", "", ""]])
    r = run_cli("ingest", str(f))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip() == "2 new, 0 already stored, 1 rejected"
    assert "line 3:" in r.stderr and "too long" in r.stderr
    assert [m["external_id"] for m in stored(tmp_path / "cli.db")] == ["1", "3"]


# -- 4. unknown brand ---------------------------------------------------------------------------------

def test_ingest_for_a_brand_with_no_policy_is_refused_in_one_line(run_cli, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text(jsonl({"id": "1", "text": "hello"}), encoding="utf-8")
    r = run_cli("ingest", str(f), "--brand", "nosuch")
    assert r.returncode == 1
    line = one_line_error(r)
    assert "nosuch" in line and "aurora-roasters" in line and "--brand" in line
    assert not (tmp_path / "cli.db").exists() or stored(tmp_path / "cli.db") == []


def test_a_stored_mention_for_an_unknown_brand_is_held_once_not_retried_every_start(engine, settings, tmp_path):
    import time

    from assistant.runtime.service import Runtime

    engine.store.add_mentions([Mention(source="manual", external_id="1", text="Do you ship?")], brand="nosuch")
    engine.store.add_mentions([Mention(source="manual", external_id="2", text="Do you ship?")])
    for _ in range(3):  # three starts of `assistant serve`
        rt = Runtime(settings, engine, sources=[])
        rt.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and engine.store.mentions_with_status("new"):
            time.sleep(0.05)
        rt.stop()
    assert engine.store.get_mention("manual:1")["status"] == "held"
    assert engine.store.get_mention("manual:2")["status"] == "awaiting"
    kinds = [e["kind"] for e in engine.store.events("manual:1")]
    assert kinds == ["ingested", "held"]
    assert "nosuch" in engine.store.events("manual:1")[1]["detail"]
    # the policy arrives: the next start processes the held mention
    shutil.copy(POLICY_FILE, settings.policies_dir / "nosuch.yaml")
    engine.policies.reload()
    rt = Runtime(settings, engine, sources=[])
    rt.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and engine.store.get_mention("manual:1")["status"] != "awaiting":
        time.sleep(0.05)
    rt.stop()
    assert engine.store.get_mention("manual:1")["status"] == "awaiting"


# -- 5. long and concurrent ingests -------------------------------------------------------------------

def test_a_long_ingest_commits_in_batches_so_others_can_write_meanwhile(tmp_path):
    store = Store(tmp_path / "a.db")
    seen: list[int] = []

    def mentions():
        for i in range(5000):
            if i == 4000:
                other = sqlite3.connect(tmp_path / "a.db", timeout=0)
                other.execute("INSERT INTO cursors (source, cursor) VALUES ('other', '1')")  # no wait allowed
                other.commit()
                seen.append(other.execute("SELECT COUNT(*) FROM mentions").fetchone()[0])
                other.close()
            yield Mention(source="bulk", external_id=str(i), text=f"post {i}")

    assert len(store.add_mentions(mentions())) == 5000
    assert seen and seen[0] >= 2000  # earlier batches were already committed
    assert store.get_cursor("other") == "1"
    store.close()


def test_stores_opened_at_the_same_moment_on_a_new_file_all_work(tmp_path):
    """Several processes starting on a file that does not exist yet race to create it."""
    import threading

    path = tmp_path / "fresh.db"
    start = threading.Barrier(8)
    failures: list[BaseException] = []
    counts: list[int] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            s = Store(path)
            counts.append(len(s.add_mentions(Mention(source="t", external_id=f"{n}-{i}", text="hi")
                                             for i in range(300))))
            s.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    for _ in range(3):
        path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        counts.clear()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failures, failures
        assert counts == [300] * 8


def test_concurrent_ingests_from_several_processes_all_succeed(run_cli, tmp_path):
    procs = []
    files = []
    for p in range(6):
        f = tmp_path / f"part{p}.jsonl"
        f.write_text(jsonl(*({"id": f"{p}-{i}", "text": f"post {i} of part {p}"} for i in range(3000))),
                     encoding="utf-8")
        files.append(f)
    env = _env(tmp_path)
    for f in files:
        procs.append(subprocess.Popen([str(ASSISTANT), "ingest", str(f)], env=env, cwd=tmp_path,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for rc, out, err in results:
        assert rc == 0 and out.strip() == "3000 new, 0 already stored, 0 rejected", err
    assert len(stored(tmp_path / "cli.db")) == 18_000


# -- 6. unambiguous keys ------------------------------------------------------------------------------

def test_a_colon_in_the_source_does_not_make_two_mentions_collide(store):
    a = Mention(source="x:y", external_id="1", text="first")
    b = Mention(source="x", external_id="y:1", text="second")
    assert a.key != b.key
    assert store.add_mentions([a, b]) == [a.key, b.key]
    assert store.mention(a.key).text == "first" and store.mention(b.key).text == "second"
    assert store.add_mentions([a, b]) == []  # still duplicates of themselves


def test_the_key_migration_keeps_an_existing_database_working(tmp_path):
    path = tmp_path / "old.db"
    old = Store(path)
    old.close()
    # An existing file from before the fix: the key migration not yet applied, ids "<source>:<id>".
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '003_unambiguous_mention_keys'")
    conn.execute("DROP INDEX IF EXISTS idx_mentions_source_external_id")
    conn.execute("INSERT INTO mentions (id, source, external_id, text, status) VALUES ('x:y:1', 'x:y', '1', 'old', 'awaiting')")
    conn.execute("INSERT INTO mentions (id, source, external_id, text, status) VALUES ('mastodon:7', 'mastodon', '7', 'plain', 'new')")
    conn.execute("INSERT INTO triage (mention_id, language, intent, severity, action, reasons)"
                 " VALUES ('x:y:1', 'en', 'question', 'low', 'reply', '[]')")
    conn.execute("INSERT INTO events (at, mention_id, kind, actor, detail) VALUES ('t', 'x:y:1', 'ingested', 'system', '{}')")
    conn.commit()
    conn.close()

    store = Store(path)
    moved = Mention(source="x:y", external_id="1", text="old")
    assert store.mention(moved.key).text == "old" and store.triage(moved.key) is not None
    assert [e["kind"] for e in store.events(moved.key)] == ["ingested"]
    assert store.mention("mastodon:7").text == "plain"  # ordinary keys are unchanged
    assert store.add_mentions([moved]) == []  # still recognised as a duplicate
    other = Mention(source="x", external_id="y:1", text="new")
    assert store.add_mentions([other]) == [other.key]
    store.close()
    again = Store(path)
    assert core.pending(again.db) == []
    again.close()


# -- 7. loose input -----------------------------------------------------------------------------------

def test_objects_lists_and_empty_texts_are_rejected_with_a_reason(run_cli, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text(jsonl({"id": "1", "text": "good"},
                       {"id": {"$gt": ""}, "text": "object id"},
                       {"id": "3", "author": ["a", "b"], "text": "list author"},
                       {"id": "4", "text": ""},
                       {"id": "5", "text": "  \n\t "},
                       {"id": "6", "text": "good too", "author": "ann"}), encoding="utf-8")
    r = run_cli("ingest", str(f))
    assert r.stdout.strip() == "2 new, 0 already stored, 4 rejected", r.stderr
    assert "Traceback" not in r.stderr
    err = r.stderr.splitlines()
    assert any("line 2:" in x and "`id`" in x and "object" in x for x in err), err
    assert any("line 3:" in x and "`author`" in x and "list" in x for x in err), err
    assert any("line 4:" in x and "empty" in x for x in err), err
    assert any("line 5:" in x and "empty" in x for x in err), err
    rows = stored(tmp_path / "cli.db")
    assert [(m["external_id"], m["author"]) for m in rows] == [("1", ""), ("6", "ann")]


def test_a_csv_with_a_byte_order_mark_keeps_its_first_column(run_cli, tmp_path):
    f = tmp_path / "excel.csv"
    f.write_bytes("id,author,text\r\nA-1,ann,hello from Excel\r\n".encode("utf-8-sig"))
    r = run_cli("ingest", str(f))
    assert r.stdout.strip() == "1 new, 0 already stored, 0 rejected", r.stderr
    assert stored(tmp_path / "cli.db")[0]["external_id"] == "A-1"


# -- 8. private database files --------------------------------------------------------------------------

def test_the_database_and_its_wal_files_are_private(run_cli, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text(jsonl({"id": "1", "text": "hello", "author": "@ann"}), encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert run_cli("ingest", str(f)).returncode == 0
        store = Store(tmp_path / "cli.db")  # keeps the WAL and SHM files open
        store.add_mentions([Mention(source="x", external_id="2", text="more")])
        for name in ("cli.db", "cli.db-wal", "cli.db-shm"):
            mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
        store.close()
        other = Store(tmp_path / "sub" / "fresh.db")
        assert stat.S_IMODE((tmp_path / "sub" / "fresh.db").stat().st_mode) == 0o600
        other.close()
    finally:
        os.umask(old)


def test_the_file_source_rejects_an_empty_text_and_keeps_the_rest(tmp_path):
    from assistant.connectors.file import FileConnector

    inbox = tmp_path / "in.jsonl"
    inbox.write_text(jsonl({"id": "1", "text": "   "}, {"id": "2", "text": "hello"}, {"id": {"a": 1}, "text": "x"}),
                     encoding="utf-8")
    result = FileConnector(inbox=inbox).fetch(None)
    assert [m.external_id for m in result.mentions] == ["2"]
    rejected = result.extra["rejected"]
    assert len(rejected) == 2 and "empty" in rejected[0] and "\n" not in rejected[0]
