"""The review core's warned-once rule for edited replies keeps a bounded memory that the
listeners' threads share (it was an unbounded, unlocked dict in the Slack layer)."""

from __future__ import annotations

import threading

from assistant.review import WarnedEdits


def test_the_same_text_by_the_same_person_was_warned_and_a_colleague_was_not():
    seen = WarnedEdits()
    seen.remember("m1", "U1", "Thanks!")
    assert seen.warned("m1", "U1", "Thanks!")
    assert not seen.warned("m1", "U2", "Thanks!")  # a colleague has not seen the warnings
    assert not seen.warned("m1", "U1", "Thanks a lot!")  # another text is warned afresh
    seen.forget("m1", "U1")
    assert not seen.warned("m1", "U1", "Thanks!")


def test_the_memory_is_bounded_and_forgets_the_oldest_first():
    seen = WarnedEdits(limit=3)
    for i in range(5):
        seen.remember(f"m{i}", "U1", "text")
    assert len(seen) == 3
    assert not seen.warned("m0", "U1", "text") and not seen.warned("m1", "U1", "text")
    assert seen.warned("m4", "U1", "text")


def test_many_threads_at_once_keep_it_within_its_bound():
    seen = WarnedEdits(limit=50)

    def work(n: int) -> None:
        for i in range(200):
            seen.remember(f"m{n}-{i}", f"U{n}", "text")
            seen.warned(f"m{n}-{i}", f"U{n}", "text")
            if i % 3 == 0:
                seen.forget(f"m{n}-{i}", f"U{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) <= 50
