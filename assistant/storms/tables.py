"""The spike detector's tables (its own migration set, beside the core one).

``storm_vectors``: each negative post's embedding, once per encoder, with the post's
time and the group it joined, so a tick only embeds posts it has not seen.
``storm_groups``: a group's running sum of vectors (its centre) and size.
``storm_center``: what negative posts in each language share (the running sum of
vectors that left the window, spikes' posts left out), taken out before posts are
compared, so similarities spread apart and one topic in three languages reads alike.
``spikes`` and ``spike_members``: the spikes raised, and the posts that belong to each.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assistant.store import Store

migrations = Migrations("assistant-storms")


@migrations(name="001_vectors_groups_spikes")
def _m001(db: Database) -> None:
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


@migrations(name="002_related_posts_and_loose_groups")
def _m002(db: Database) -> None:
    # related: a question or a small reaction ("anyone else charged twice?", "same here"):
    # embedded so it can join a storm's group, but never counted as a negative post itself.
    # loose: a storm's group (seeded from a burst, or a spike's), joined at a lower similarity.
    if "related" not in db["storm_vectors"].columns_dict:
        db["storm_vectors"].add_column("related", int, not_null_default=0)
    if "loose" not in db["storm_groups"].columns_dict:
        db["storm_groups"].add_column("loose", int, not_null_default=0)


def ensure(store: Store) -> None:
    """Apply these migrations (idempotent) to a store opened without them."""
    store.ensure(migrations)
