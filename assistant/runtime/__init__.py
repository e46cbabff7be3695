"""Orchestration: what runs beside the review UIs (pollers, webhook intake, the outbox worker).

``protocol.Runtime`` is the contract the Slack app, the CLI and the review core rely on;
``orchestration.runtime.Runtime`` is the real one, tests use a recording double.
"""
