"""A local server that speaks HubSpot's CRM API (v3 objects, search, properties, v4 associations, OAuth).

``start(SandboxOptions(...))`` serves it on 127.0.0.1 in a background thread; ``crmhub sandbox hubspot`` prints
its ``url`` and ``token``. Settings (rate-limit tier, token lifetime, faults…) are listed in
:mod:`crmhub_hubspot.sandbox.limits`.
"""

from __future__ import annotations

from crmhub_hubspot.sandbox.limits import SandboxSettings
from crmhub_hubspot.sandbox.server import HubSpotSandbox
from hub.sandbox import SandboxOptions

__all__ = ["HubSpotSandbox", "SandboxSettings", "start"]


def start(options: SandboxOptions) -> HubSpotSandbox:
    """Start a sandbox on ``options.port`` (0: a free one), keeping records in ``options.data_dir`` if given."""
    settings = SandboxSettings.from_mapping(dict(options.settings))
    return HubSpotSandbox(options.port, options.data_dir, settings)
