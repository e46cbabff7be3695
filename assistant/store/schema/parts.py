"""The tables of the app's parts beside the core ones: connectors, Slack, review, storms,
statements. Each part keeps its own migration set (its name and its migrations' names are
recorded in ``_sqlite_migrations`` of every existing database, so they never change);
a change to a table is a new numbered migration in its set, never an edit of one applied.

Parts' tables, and where their SQL lives:

- ``outbox_attempts`` (connectors): one row per try to post a reply (store/connectors_sql.py).
- ``slack_cards``, ``slack_events``, ``slack_follow_ups`` (Slack): where each review card
  was posted, and conversations moved to a private message (store/slack_sql.py).
- ``review_assignments`` (review): who owns an escalated mention (store/review_sql.py).
- ``storm_vectors``, ``storm_groups``, ``storm_center``, ``spikes``, ``spike_members``
  (storms): the spike detector's state (storms/detect.py).
  ``storm_vectors``: each negative post's embedding, once per encoder, with the post's
  time and the group it joined, so a tick only embeds posts it has not seen.
  ``storm_groups``: a group's running sum of vectors (its centre) and size.
  ``storm_center``: what negative posts in each language share (the running sum of
  vectors that left the window, spikes' posts left out), taken out before posts are
  compared, so similarities spread apart and one topic in three languages reads alike.
  ``spikes`` and ``spike_members``: the spikes raised, and the posts that belong to each.
- ``spike_alerts``, ``spike_marked`` (storms): each spike's alert card and the statement
  it shows, and the members whose review cards say they are part of the spike.
- ``statement_posts`` (statements): the consolidated statement's outbox, one row per
  account and language (runtime/statements.py).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

connectors = Migrations("assistant-connectors")
slack = Migrations("assistant-slack")
review = Migrations("assistant-review")
storms = Migrations("assistant-storms")
statements = Migrations("assistant-statements")


# -- connectors -------------------------------------------------------------------------------


@connectors(name="001_outbox_attempts")
def _connectors_001(db: Database) -> None:
    # One row per attempt to post: what was tried, when, and what came of it. The
    # outbox row keeps the latest state; this keeps the history a person may need.
    db["outbox_attempts"].create(
        {"id": int, "outbox_id": int, "at": str, "outcome": str, "error": str, "seconds": float},
        pk="id", if_not_exists=True,
    )
    db["outbox_attempts"].create_index(["outbox_id"], if_not_exists=True)


# -- Slack ------------------------------------------------------------------------------------


@slack(name="001_cards_events_follow_ups")
def _slack_001(db: Database) -> None:
    db["slack_cards"].create(
        # kind: "channel" (a message in a channel, updated with chat.update) or
        # "ephemeral" (a /reply card only its requester sees; never re-posted to a channel)
        {"mention_id": str, "kind": str, "channel": str, "ts": str, "created_at": str, "updated_at": str},
        pk="mention_id",
        if_not_exists=True,
    )
    db["slack_cards"].create_index(["channel", "ts"], if_not_exists=True)
    # no longer written: Slack's retries are deduplicated by the mention's own key
    db["slack_events"].create({"event_id": str, "at": str}, pk="event_id", if_not_exists=True)
    db["slack_follow_ups"].create(
        {"mention_id": str, "actor": str, "note": str, "created_at": str, "resolved_at": str,
         "resolved_by": str},
        pk="mention_id",
        if_not_exists=True,
    )


# -- review -----------------------------------------------------------------------------------


@review(name="001_assignments")
def _review_001(db: Database) -> None:
    db["review_assignments"].create(
        {"id": int, "mention_id": str, "assignee": str, "team": str, "note": str, "actor": str,
         "created_at": str},
        pk="id", if_not_exists=True,
    )
    db["review_assignments"].create_index(["mention_id"], if_not_exists=True)


# -- storms -----------------------------------------------------------------------------------


@storms(name="001_vectors_groups_spikes")
def _storms_001(db: Database) -> None:
    db["storm_vectors"].create(
        {"mention_id": str, "encoder": str, "at": str, "language": str, "vector": bytes, "group_id": int,
         "centered": int},
        pk=("mention_id", "encoder"), if_not_exists=True,
    )
    db["storm_vectors"].create_index(["encoder", "at"], if_not_exists=True)
    db["storm_vectors"].create_index(["group_id", "at"], if_not_exists=True)
    db["storm_groups"].create(
        {"id": int, "encoder": str, "total": bytes, "size": int, "first_at": str, "last_at": str,
         "merged_into": int},
        pk="id", if_not_exists=True,
    )
    db["storm_center"].create({"encoder": str, "language": str, "total": bytes, "size": int},
                              pk=("encoder", "language"), if_not_exists=True)
    db["spikes"].create(
        {"id": int, "group_id": int, "encoder": str, "status": str,  # active, calm
         "opened_at": str, "updated_at": str, "calmed_at": str, "peak": int, "summary": str},  # summary: JSON
        pk="id", if_not_exists=True,
    )
    db["spikes"].create_index(["status"], if_not_exists=True)
    db["spike_members"].create(
        {"spike_id": int, "mention_id": str, "joined_at": str},
        pk=("spike_id", "mention_id"), if_not_exists=True,
    )
    db["spike_members"].create_index(["mention_id"], if_not_exists=True)


@storms(name="002_related_posts_and_loose_groups")
def _storms_002(db: Database) -> None:
    # related: a question or a small reaction ("anyone else charged twice?", "same here"):
    # embedded so it can join a storm's group, but never counted as a negative post itself.
    # loose: a storm's group (seeded from a burst, or a spike's), joined at a lower similarity.
    if "related" not in db["storm_vectors"].columns_dict:
        db["storm_vectors"].add_column("related", int, not_null_default=0)
    if "loose" not in db["storm_groups"].columns_dict:
        db["storm_groups"].add_column("loose", int, not_null_default=0)


@storms(name="003_spike_alerts")
def _storms_003(db: Database) -> None:
    # The alert cards' tables. The Slack spike desk created them itself, with no migration,
    # each time it started; so a database may have them already, with or without the
    # later columns: each step checks first.
    db["spike_alerts"].create({"spike_id": int, "channel": str, "ts": str, "members_shown": int,
                               "status_shown": str, "redrawn_at": str, "statement": str,
                               "language": str, "passed": int, "topic": str},
                              pk="spike_id", if_not_exists=True)
    for column in ("versions", "missing"):  # the statement in the storm's other languages (JSON)
        if column not in db["spike_alerts"].columns_dict:
            db["spike_alerts"].add_column(column, str)
    # the members whose review cards were redrawn to say they are part of the spike
    db["spike_marked"].create({"spike_id": int, "mention_id": str}, pk=("spike_id", "mention_id"),
                              if_not_exists=True)


# -- statements -------------------------------------------------------------------------------


@statements(name="001_statement_posts")
def _statements_001(db: Database) -> None:
    db["statement_posts"].create(
        {"id": int, "spike_id": int, "account": str, "text": str, "language": str, "idempotency_key": str,
         "status": str, "approved_by": str, "approved_at": str, "posted_id": str, "posted_url": str,
         "last_error": str, "attempts": int},
        pk="id", if_not_exists=True,
    )
    db["statement_posts"].create_index(["spike_id", "account"], unique=True, if_not_exists=True)


@statements(name="002_statement_retries")
def _statements_002(db: Database) -> None:
    # the reply outbox's rules: a backoff time for the next try, and the claim's time (the lease)
    table = db["statement_posts"]
    for column in ("next_attempt_at", "claimed_at"):
        if column not in table.columns_dict:
            table.add_column(column, str)


@statements(name="003_statement_per_language")
def _statements_003(db: Database) -> None:
    # one post per account and language: the statement has a version in each language the storm speaks
    for index in db["statement_posts"].indexes:
        if index.columns == ["spike_id", "account"]:
            db.execute(f"DROP INDEX [{index.name}]")
    db["statement_posts"].create_index(["spike_id", "account", "language"], unique=True, if_not_exists=True)
