from slack_harness import ROOT

from devtools.slack_bench import slack_ack_bench


def test_ack_bench_runs_and_acks_fast_with_the_model_busy():
    result = slack_ack_bench(interactions=40, concurrency=10, model_delay=0.3, policies_dir=ROOT / "policies")
    assert result["interactions"] == 40 and result["model_busy"]
    assert result["p99_ms"] < 3000 and result["p50_ms"] <= result["p99_ms"]
    assert result["posted"] >= 10  # the Approve clicks on distinct cards, each posted once
