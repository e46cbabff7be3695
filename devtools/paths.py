"""Where the evaluation sets and the example policies live: beside the package, in a
source checkout (they are not shipped in the wheel)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
HOLDOUT = EVAL / "holdout.jsonl"
BLIND = EVAL / "blind.jsonl"
# The blind set of issue "Read a post the way a person does": 320 posts, both brands,
# labelled with kinds, crisis kinds, parts and names; written before that work began.
BLIND_PARTS = EVAL / "blind-parts.jsonl"
# A second such set (250 posts), written later by another hand, read only for the final figures.
BLIND_PARTS_2 = EVAL / "blind-parts-2.jsonl"
# A third (250 posts), written by a helper that never saw the code, before the routing rule
# and the put-right head were tuned: its first run is that round's blind figure.
BLIND_PARTS_3 = EVAL / "blind-parts-3.jsonl"
EXAMPLE_POLICIES = ROOT / "examples" / "policies"
FACT_QUESTIONS = EVAL / "fact_questions.jsonl"
DRAFTS = EVAL / "drafts.jsonl"
STORM_REPLAYS = EVAL / "storms"  # storm replays as data (issue 19), each on top of background.jsonl
