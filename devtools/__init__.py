"""Developer tools, not shipped in the wheel: benchmarks, evaluations, storm replays and the fake Slack the tests use. Run with `python -m devtools`."""
