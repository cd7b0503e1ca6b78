"""crmhub."""
