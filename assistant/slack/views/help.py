"""What ``/assistant help`` (and ``/assistant`` alone) answers."""

HELP = (
    "*Reply assistant*\n"
    "• `/reply &lt;text or link&gt;`: triage and draft a reply on the spot\n"
    "• `/assistant queue`: what waits for a reply, oldest first, with how long\n"
    "• `/assistant stats`: today's figures\n"
    "• `/assistant policy`: the tone policy in force\n"
    "• `/assistant report [30d]`: the summary chart and headline numbers, posted here\n"
    "• Message shortcut *Draft a reply*: on any message (RSS, Zapier, a colleague's paste)\n"
    "Review cards appear in the review channel; only approvers can approve, edit, hide or post."
)
