"""Connectors: the contract and the built-in file and SQL connectors."""
