"""HTTP: the Starlette app that serves /slack/events, /webhooks/* and /healthz, and Socket Mode."""
