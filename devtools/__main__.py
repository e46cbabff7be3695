"""`python -m devtools eval|bench|report-bench`: see devtools/cli.py."""

from devtools.cli import main

main()
