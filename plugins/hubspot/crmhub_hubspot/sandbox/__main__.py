"""``python -m crmhub_hubspot.sandbox [--port N] [--data DIR] [--set KEY=VALUE ...]``.

Like ``crmhub sandbox hubspot``, plus settings (rate-limit tier, token lifetime, faults; see
:mod:`crmhub_hubspot.sandbox.limits`): prints ``{"url", "token", "ca_file", "oauth": {…}}`` as one JSON line once
listening, and serves until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from crmhub_hubspot.sandbox import start
from hub.sandbox import SandboxOptions


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crmhub_hubspot.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="a sandbox setting, e.g. tier=pro or token_lifetime_s=60 (repeatable)")
    args = parser.parse_args(argv)
    settings = {}
    for item in args.settings:
        key, _, raw = item.partition("=")
        settings[key.strip()] = _value(raw.strip())
    running = start(SandboxOptions(port=args.port, data_dir=args.data, settings=settings))
    print(json.dumps({"url": running.url, "token": running.token, "ca_file": running.ca_file,
                      "oauth": {"client_id": running.oauth_client_id, "client_secret": running.oauth_client_secret,
                                "refresh_token": running.oauth_refresh_token}}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
