"""Tone policies: the pydantic models, crisis texts, the catalog, safe YAML loading, the registry and the scaffold for a new brand."""
