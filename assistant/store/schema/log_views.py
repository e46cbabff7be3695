"""The interaction log as SQL views (article 003: every mention, what we answered,
who approved it, how long it took), so the same rows open in the ``sqlite-utils``
and Datasette tools as in ``assistant log`` and ``assistant report``.

Views, applied with the rest of the schema whenever a store opens (assistant/store/schema):

- ``interaction_log``: one row per mention: triage, first draft, the decision and
  who made it, what was approved and posted, how much a person changed the draft,
  response times, the posted reply's id and link;
- ``response_times``: the decided mentions' times, for charts and SLA figures;
- ``daily_volume``: mentions per day, network, language and intent;
- ``kind_posts``: triaged praise and small reactions per author (super-fans).

SQLite has no edit distance, so ``reply_edits`` keeps one per approval: the store
writes it with the approval (``record_edit`` in assistant/store/log_sql.py), and
``insights.log.refresh_edits`` fills in approvals made before this existed. An
approval whose text equals its draft needs no row: the view knows it is unchanged.

Times: a post's own ``created_at`` when SQLite can read it (``julianday``), else
when we ingested it; every time in the views is ISO 8601 UTC ("...Z").
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("assistant-log")

# Edit distance (share of the longer text that changed) up to which an approval is a
# light edit; above it, the person rewrote the draft.
LIGHT_EDIT = 0.3

_ISO = "'%Y-%m-%dT%H:%M:%fZ'"

INTERACTION_LOG = f"""
CREATE VIEW interaction_log AS
SELECT
  m.id AS id,
  m.network AS network,
  m.source AS source,
  m.brand AS brand,
  m.url AS url,
  m.author AS author,
  m.text AS post,
  strftime({_ISO}, COALESCE(julianday(m.created_at), julianday(m.ingested_at))) AS received_at,
  m.ingested_at AS ingested_at,
  t.language AS language,
  t.intent AS intent,
  t.severity AS severity,
  t.action AS recommended_action,
  t.team AS team,
  t.reasons AS triage_reasons,
  (SELECT COUNT(*) FROM drafts WHERE mention_id = m.id) AS drafts,
  -- drafts a person rejected (a mention may get a new draft after a rejection)
  (SELECT COUNT(*) FROM decisions WHERE mention_id = m.id AND action = 'reject') AS drafts_rejected,
  d1.text AS first_draft,
  COALESCE(d1.origin, CASE WHEN d1.fallback THEN 'template' WHEN d1.id IS NOT NULL THEN 'model' END)
    AS first_draft_origin,
  df.text AS final_draft,
  dec.action AS decision,
  dec.actor AS decided_by,
  strftime({_ISO}, julianday(dec.created_at)) AS decided_at,
  dec.reason AS decision_reason,
  CASE WHEN dec.action = 'escalate' THEN COALESCE(NULLIF(dec.reason, ''), t.team) END AS escalated_to,
  CASE WHEN dec.action IN ('approve', 'edit') THEN dec.text END AS approved_text,
  CASE WHEN o.status = 'posted' THEN o.text END AS posted_text,
  CASE
    WHEN dec.action NOT IN ('approve', 'edit') OR dec.action IS NULL THEN NULL
    WHEN df.text IS NULL THEN 1.0
    WHEN dec.text = df.text THEN 0.0
    ELSE e.ratio
  END AS edit_ratio,
  CASE
    WHEN dec.action NOT IN ('approve', 'edit') OR dec.action IS NULL THEN NULL
    WHEN df.text IS NULL THEN 'written'
    WHEN dec.text = df.text THEN 'unchanged'
    WHEN e.ratio IS NULL THEN 'edited'
    WHEN e.ratio = 0 THEN 'unchanged'
    WHEN e.ratio <= {LIGHT_EDIT} THEN 'light edit'
    ELSE 'rewritten'
  END AS edit_label,
  CASE WHEN dec.id IS NOT NULL THEN ROUND((julianday(dec.created_at)
       - COALESCE(julianday(m.created_at), julianday(m.ingested_at))) * 86400.0, 1) END AS seconds_to_decision,
  CASE WHEN o.status = 'posted' THEN strftime({_ISO}, julianday(o.updated_at)) END AS posted_at,
  CASE WHEN o.status = 'posted' THEN ROUND((julianday(o.updated_at)
       - COALESCE(julianday(m.created_at), julianday(m.ingested_at))) * 86400.0, 1) END AS seconds_to_post,
  o.status AS outbox_status,
  o.attempts AS post_attempts,
  o.last_error AS post_error,
  o.posted_id AS posted_id,
  o.posted_url AS posted_url,
  m.status AS status
FROM mentions m
LEFT JOIN triage t ON t.mention_id = m.id
LEFT JOIN drafts d1 ON d1.mention_id = m.id AND d1.version = 1
LEFT JOIN decisions dec ON dec.id = (SELECT MAX(id) FROM decisions WHERE mention_id = m.id)
LEFT JOIN drafts df ON df.id = COALESCE(
  dec.draft_id, (SELECT id FROM drafts WHERE mention_id = m.id ORDER BY version DESC LIMIT 1))
LEFT JOIN outbox o ON o.mention_id = m.id
LEFT JOIN reply_edits e ON e.decision_id = dec.id
"""

RESPONSE_TIMES = """
CREATE VIEW response_times AS
SELECT id, network, language, intent, severity, received_at, decision, decided_by, decided_at,
       seconds_to_decision, posted_at, seconds_to_post
FROM interaction_log
WHERE decided_at IS NOT NULL
"""

DAILY_VOLUME = """
CREATE VIEW daily_volume AS
SELECT substr(received_at, 1, 10) AS day, network, language, intent,
       COUNT(*) AS mentions,
       SUM(posted_at IS NOT NULL) AS answered,
       SUM(decision = 'reject') AS rejected,
       SUM(decision = 'escalate') AS escalated
FROM interaction_log
GROUP BY day, network, language, intent
"""

# Praise and small reactions, per author: the posts super-fans are counted from
# (assistant/insights/superfans.py). ``handle`` folds case and a leading "@".
KIND_POSTS = f"""
CREATE VIEW kind_posts AS
SELECT m.id AS id, m.network AS network, m.author AS author,
       lower(ltrim(trim(m.author), '@')) AS handle, m.url AS url, t.intent AS intent,
       strftime({_ISO}, COALESCE(julianday(m.created_at), julianday(m.ingested_at))) AS posted_at
FROM mentions m JOIN triage t ON t.mention_id = m.id
WHERE t.intent IN ('praise', 'reaction') AND trim(COALESCE(m.author, '')) != ''
"""


@migrations(name="001_interaction_log_views")
def _m001(db: Database) -> None:
    db["reply_edits"].create(
        {"decision_id": int, "draft_id": int, "ratio": float, "computed_at": str},
        pk="decision_id", if_not_exists=True,
    )
    # The views look decisions up per mention, and super-fans per author.
    db["decisions"].create_index(["mention_id"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_mentions_author_handle"
               " ON mentions (network, lower(ltrim(trim(author), '@')))")
    _create_views(db)


@migrations(name="002_views_count_rejected_drafts")
def _m002(db: Database) -> None:
    _create_views(db)


# A change to a view above needs a new migration calling this, so databases that
# already have the views get the new ones.
def _create_views(db: Database) -> None:
    views = (("interaction_log", INTERACTION_LOG), ("response_times", RESPONSE_TIMES),
             ("daily_volume", DAILY_VOLUME), ("kind_posts", KIND_POSTS))
    for name, _ in reversed(views):  # dependants first
        db.execute(f"DROP VIEW IF EXISTS {name}")
    for _, sql in views:
        db.execute(sql)
