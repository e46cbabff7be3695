"""`assistant serve`: the Slack app, the pollers, the webhook intake and the outbox worker.

A broken policy at start does not take the service down:

* each policy that loads is kept as the **last good copy**, beside the database
  (``<db>.last-good-policies/<brand>.yaml``); when a file is broken at the next start, that
  copy is used, one line names the broken file and line, and ``/healthz`` says so. Fixing
  the file takes effect within seconds, with no restart (the policy watcher);
* with no good copy either, one line names the broken file and serve still accepts
  webhooks (``/webhooks/<source>`` and ``/healthz``, no Slack): each mention is stored, and
  triaged when serve starts again with the file fixed.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import click

from assistant.cli.group import cli
from assistant.domain.errors import PolicyError
from assistant.policy.loading import load_policy, policy_files
from assistant.policy.models import Policy
from assistant.policy.registry import PolicyRegistry

log = logging.getLogger("assistant.serve")


class LastGoodPolicies(PolicyRegistry):
    """The policy registry, falling back to the last good copy of a brand whose file is broken."""

    def __init__(self, folder: str | Path, keep: Path) -> None:
        super().__init__(folder)
        self.keep = keep
        self.fallback: dict[str, tuple[Policy, Path]] = {}

    def remember(self) -> list[str]:
        """Keep a copy of every file that loaded; load the kept copy of each that did not.
        Returns one line per broken file: what is wrong and what is used instead."""
        lines = []
        for path in policy_files(self.folder):
            brand = path.stem
            if brand in self.errors:
                copy = self.keep / path.name
                why = self.errors[brand][0] if self.errors[brand] else f"{path}: cannot be loaded"
                try:
                    self.fallback[brand] = (load_policy(copy), copy)
                except (PolicyError, OSError):
                    lines.append(f"{why}; no good copy of {brand} is kept, so its mentions wait (fix the file "
                                 f"and restart; `assistant policy check {path}` lists every error)")
                    continue
                lines.append(f"{why}; using the last good copy of {brand} ({copy}) until the file is fixed "
                             f"(`assistant policy check {path}` lists every error)")
            elif brand in self._policies:
                try:
                    self.keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, self.keep / path.name)
                except OSError as exc:
                    log.warning("could not keep a copy of %s in %s: %s", path, self.keep, exc.strerror)
        return lines

    def _fixed(self) -> None:
        for brand in [b for b in self.fallback if b in self._policies and b not in self.errors]:
            self.fallback.pop(brand, None)

    def brands(self) -> list[str]:
        return sorted({*super().brands(), *self.fallback})

    def get(self, brand: str | None = None) -> Policy:
        try:
            return super().get(brand)
        except PolicyError:
            self._fixed()
            if brand is not None and brand in self.fallback and brand not in self._policies:
                return self.fallback[brand][0]
            if brand is None and not self._policies and len(self.fallback) == 1:
                return next(iter(self.fallback.values()))[0]
            raise


def _policy_health(policies: LastGoodPolicies, lines: list[str], failing: bool) -> None:
    """/healthz names each broken policy file (and what is used instead) until it is fixed."""
    from assistant.connectors.health import HEALTH

    def probe() -> str | None:
        broken = [problems[0] for problems in policies.errors.values() if problems]
        if not broken:
            return None
        said = [line for line in lines if any(line.startswith(first) for first in broken)]
        return " | ".join(said or broken)

    HEALTH.check("policy", probe, failing=failing)


def _webhooks_only(settings: Any, policies: LastGoodPolicies, host: str, port: int, problem: str) -> None:
    """No usable policy: store (and hold) what webhooks deliver, answer /healthz, until Ctrl-C."""
    from assistant.runtime.wiring import build_engine, build_runtime
    from assistant.web.server import HttpServer, side_app

    engine = build_engine(settings, policies=policies)
    # Not processed now: each stays 'new' and is triaged when serve starts with a good policy.
    runtime = build_runtime(settings, engine, process=False)
    runtime.start()
    side = HttpServer(side_app(runtime.routes), host, port).start()
    click.secho(f"error: {problem}", fg="red", err=True)
    click.echo(f"serving webhooks and /healthz only on http://{host}:{side.port} (no Slack): mentions are "
               "stored, and triaged when serve starts again with the policy fixed; press Ctrl-C to stop", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        side.stop()
        runtime.stop()
        engine.store.close()


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
    from assistant.connectors.health import HEALTH
    from assistant.domain.errors import SettingsError
    from assistant.runtime.wiring import build_engine, build_runtime
    from assistant.settings import load_settings
    from assistant.slack import check_settings, create_app
    from assistant.store import read_only_error
    from assistant.web.server import (
        HttpServer,
        database_problem,
        serve_http,
        side_app,
        socket_mode_handler,
    )

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings(**({"brand": brand} if brand else {}))  # every setting checked, once, here
    socket_mode = check_settings(settings)  # before anything slow: a missing token is one line
    problem = read_only_error(settings.db_path)
    if problem is not None:  # before the last good policies are kept beside it: one line
        raise problem
    HEALTH.check("database", lambda: database_problem(settings.db_path))
    db = Path(settings.db_path)
    policies = LastGoodPolicies(settings.policies_dir, db.with_name(db.name + ".last-good-policies"))
    quiet = logging.getLogger("assistant.policy.registry")  # a broken file is said once, below, with what is done
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        policies.reload()
    finally:
        quiet.setLevel(level)
    broken = policies.remember()
    try:
        policy = policies.get(settings.brand)
    except PolicyError as exc:
        _policy_health(policies, broken, failing=True)
        _webhooks_only(settings, policies, host, port, broken[0] if broken else exc.message)
        return
    _policy_health(policies, broken, failing=False)  # served with the last good copy
    for line in broken:
        click.secho(f"warning: {line}", fg="yellow", err=True)
    if not (policy.review.channel or settings.review_channel):
        raise SettingsError("no review channel", "set ASSISTANT_REVIEW_CHANNEL (a channel id such as C0123ABCD) "
                                                 "or review.channel in the policy")
    engine = build_engine(settings, policies=policies)
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
        engine.store.close()
