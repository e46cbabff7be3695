"""What the Slack app shows, as Block Kit: pure functions from data to JSON-ready dicts,
no Slack calls (the listeners and services send them).

- ``elements``: text objects, buttons, Block Kit's limits, clipping, network names, times;
- ``mrkdwn``: escaping untrusted text, Slack's markup read back, people, safe links, errors;
- ``errors``: an error of the domain's tree (its code, its placeholders) as a sentence;
- ``card``: the review card of a mention (and its Details);
- ``modals``: the card's forms (edit, regenerate, reason, hide, private, escalate, details);
- ``home``: App Home, ``/assistant queue`` and the super-fans;
- ``help``: ``/assistant help``;
- ``alert``: a spike's alert card, its statement form and the "answer the group" list.

Links to a card are Slack's permalinks, asked for outside the views (``assistant.slack.links``).
"""
