"""Consent and data-protection checks applied to every record before it is written."""
