"""Score an older checkout's drafter with today's scorer (assistant/drafting/scoring.py), so a
"before" figure has the same checks as the "after" one.

    git worktree add /tmp/base 086d837
    mkdir /tmp/bothpol && (cd /tmp/base && cp policies/aurora-roasters.yaml examples/policies/de-spaak.yaml /tmp/bothpol/)
    cd /tmp/base && PYTHONPATH=/tmp/base ../path/to/.venv/bin/python /path/to/eval/score_old_drafter.py \
        /path/to/eval/blind-drafts.jsonl /tmp/bothpol

It imports the old `assistant` package (PYTHONPATH) and loads today's scorer from this
checkout by file path; the old drafter is called without today's `mode` argument.
Today's scorer imports the package's new layout (assistant.domain.models, ...), so an
older checkout needs those names: this script served the figures recorded before
issue 20 and is kept for them.
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

import assistant

HERE = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("assistant.draft_eval_today", HERE / "assistant" / "drafting" / "scoring.py")
assert spec is not None and spec.loader is not None
scorer = importlib.util.module_from_spec(spec)
scorer.__package__ = "assistant"
sys.modules[spec.name] = scorer
spec.loader.exec_module(scorer)

from assistant.services import build_engine  # noqa: E402  (the old package, before the layout of issue 20)
from assistant.settings import load_settings  # noqa: E402


class _OldDrafter:
    def __init__(self, drafter):  # type: ignore[no-untyped-def]
        self.drafter = drafter

    def draft(self, mention, triage, mode=None):  # type: ignore[no-untyped-def]
        return self.drafter.draft(mention, triage)


def main() -> None:
    rows = scorer.load_draft_set(sys.argv[1])
    engine = build_engine(load_settings(db_path=f"{tempfile.mkdtemp()}/e.db", policies_dir=sys.argv[2]))
    drafter = engine.drafter
    engine.drafter = lambda brand=None: _OldDrafter(drafter(brand))
    rep = scorer.evaluate_drafts(rows, engine)
    print(f"{assistant.__file__}: {rep.passed}/{rep.total} ({rep.passed / rep.total:.1%})")
    for title, tally in (("brand", rep.per_brand), ("language/brand", rep.per_brand_language),
                         ("intent", rep.per_intent), ("checks", rep.checks)):
        print(title)
        for key, (ok, n) in sorted(tally.items()):
            print(f"  {key:<34} {ok}/{n} ({ok / n:.0%})")
    print("made by:", dict(rep.origins), f"p50 {rep.percentile(0.5):.2f} s p95 {rep.percentile(0.95):.2f} s")


if __name__ == "__main__":
    main()
