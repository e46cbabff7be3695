"""What the team learns from its own work: the interaction log, super-fans, the report, and policy suggestions from edits."""
