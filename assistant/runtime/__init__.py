"""The runtime: what runs beside the review UIs (source pollers, webhook intake, the
exactly-once outbox worker, statement posts), and the one place that wires the engine.

``service.Runtime`` is what `assistant serve` runs; the Slack app and the review core
see it only through the ports in ``assistant.domain.ports`` (``RuntimePort``,
``NetworkPort``), so tests can hand in a recording double.
"""
