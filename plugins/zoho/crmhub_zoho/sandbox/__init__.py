"""A local Zoho CRM v8 sandbox: OAuth token endpoint, fields metadata, records, search, deleted records."""

from crmhub_zoho.sandbox.limits import SandboxSettings
from crmhub_zoho.sandbox.server import ZohoSandbox, start

__all__ = ["SandboxSettings", "ZohoSandbox", "start"]
