"""Tone policies, one YAML file per brand.

models.py (what a policy is), crisis.py and catalog.py (two of its sections), loading.py
(a file read safely and validated), registry.py (the policies in force, reloaded while the
service runs), scaffold.py and phrasebook.py (`assistant policy init`). The package sits
below triage and drafting: it imports only the domain and text packages.
"""
