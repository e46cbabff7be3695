"""`assistant serve`: the Slack app, the pollers, the webhook intake and the outbox worker."""

from __future__ import annotations

import logging

import click

from . import cli


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP mode: address to listen on")
@click.option("--port", default=3000, show_default=True, type=int, help="HTTP mode: port to listen on")
@click.option("--brand", help="brand id of the policy to use when a mention names none")
@click.option("-v", "--verbose", is_flag=True, help="log Slack requests and background work")
def serve(host: str, port: int, brand: str | None, verbose: bool) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP at /slack/events.

    Tokens come from SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP mode) and SLACK_APP_TOKEN
    (Socket Mode); see the README's Slack section to create the app from slack/manifest.yaml.
    """
    from ..engine import Engine
    from ..errors import SettingsError
    from ..orchestration.runtime import build_runtime
    from ..policy import PolicyRegistry
    from ..settings import load_settings
    from ..slack_app import check_settings, create_app
    from ..slack_app.server import HttpServer, serve_http, side_app, socket_mode_handler
    from ..store import Store
    from ..store import slack_sql as tables

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings(**({"brand": brand} if brand else {}))
    socket_mode = check_settings(settings)  # before anything slow: a missing token is one line
    policies = PolicyRegistry(settings.policies_dir)
    policies.reload()
    policy = policies.get(settings.brand)
    if not (policy.review.channel or settings.review_channel):
        raise SettingsError("no review channel", "set ASSISTANT_REVIEW_CHANNEL (a channel id such as C0123ABCD) "
                                                 "or review.channel in the policy")
    store = Store(settings.db_path, extra_migrations=[tables.migrations])
    engine = Engine(settings, store, policies)
    runtime = build_runtime(settings, engine)
    # Slack first (auth.test: an unreachable ASSISTANT_SLACK_API_URL or a refused token is
    # one line), then the slow part.
    app = create_app(engine, runtime, settings, socket_mode=socket_mode)
    problems = app.services.check_channels()  # a channel that does not exist: one line, now
    if problems:
        app.listener_pool.shutdown(wait=False)
        raise SettingsError(problems[0])
    click.echo(f"loading the model ({settings.backend}) …", err=True)
    engine.backend.load()  # at start-up, not on the first click
    runtime.start()
    app.services.start()
    try:
        if socket_mode:
            # webhook sources and /healthz still need an HTTP server; Slack comes over the websocket
            side = HttpServer(side_app(runtime.routes), host, port).start()
            click.echo(f"connected to Slack over Socket Mode; webhooks and /healthz on http://{host}:{side.port};"
                       " press Ctrl-C to stop", err=True)
            socket_mode_handler(app, settings.slack_app_token or "").start()
        else:
            click.echo(f"listening on http://{host}:{port}/slack/events; press Ctrl-C to stop", err=True)
            serve_http(app, runtime.routes, host, port)
    except KeyboardInterrupt:
        pass
    finally:
        # Listeners first (they may still queue work), then the work they queued.
        app.listener_pool.shutdown(wait=True, cancel_futures=True)
        app.services.close(wait=False)
        runtime.stop()
        store.close()
