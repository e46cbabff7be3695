"""The domain: mentions, triage, drafts, statuses and their moves, the ports, and the error tree. Imports nothing else of the package."""
