"""The shipped manifest names everything the app listens for and calls."""

import yaml
from slack_harness import ROOT


def test_manifest_matches_the_app():
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert {c["command"] for c in features["slash_commands"]} == {"/reply", "/assistant"}
    assert [s["callback_id"] for s in features["shortcuts"]] == ["draft_reply"]
    assert features["app_home"]["home_tab_enabled"]
    assert settings["interactivity"]["is_enabled"]
    assert set(settings["event_subscriptions"]["bot_events"]) >= {"app_home_opened", "message.channels"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "users:read", "channels:read", "usergroups:read", "channels:history"} <= scopes
    for url in [settings["interactivity"]["request_url"], settings["event_subscriptions"]["request_url"],
                *(c["url"] for c in features["slash_commands"])]:
        assert url.endswith("/slack/events")
