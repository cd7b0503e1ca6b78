"""crmhub connector for Salesforce (REST, sObject Collections, Bulk API 2.0), with a local HTTPS sandbox."""

__all__ = ["__version__"]
__version__ = "0.1.0"
