"""Connectors: one module per network, all behind the ``Connector`` protocol in base.py."""
