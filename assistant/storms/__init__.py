"""Shitstorms: spikes of negative posts about one thing, and the one statement that answers them.

Plain functions for the Slack app and the demo:
``detect(store, policy, encoder, now)`` (one tick: spikes new, grown or calmed),
``members(store, spike_id)``, ``spike_for_mention(store, mention_id)``,
``get_spike``/``spikes``, ``draft_statement(spike, policy, language)`` and
``reply_pointing_to_statement(mention, spike, policy, language)``. Their tables are
in the store's schema (assistant/store/schema/parts.py), there whenever a Store is open.
"""

from assistant.storms.detect import detect
from assistant.storms.queries import Member, get_spike, members, spike_for_mention, spikes
from assistant.storms.spike import Representative, Spike
from assistant.storms.statement import Statement, draft_statement, reply_pointing_to_statement

__all__ = ["Member", "Representative", "Spike", "Statement", "detect", "draft_statement", "get_spike", "members",
           "reply_pointing_to_statement", "spike_for_mention", "spikes"]
