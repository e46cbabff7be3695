"""Puts tests/ on the import path (pytest adds a conftest's folder), so helpers shared by
several test folders, such as http_probe.py, are importable from any of them."""
