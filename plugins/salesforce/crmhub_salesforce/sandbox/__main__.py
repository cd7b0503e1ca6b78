"""``python -m crmhub_salesforce.sandbox [--port N] [--data DIR] [--settings JSON]``.

The same as ``crmhub sandbox salesforce`` without loading every plugin, plus sandbox settings (limits,
faults) as a JSON object. Prints ``{"url", "token", "ca_file"}`` once listening; serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from crmhub_salesforce.sandbox import start
from hub.sandbox import SandboxOptions


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m crmhub_salesforce.sandbox")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--settings", default="{}", help="sandbox settings as a JSON object")
    args = parser.parse_args()
    running = start(SandboxOptions(port=args.port, data_dir=args.data, settings=json.loads(args.settings)))
    print(json.dumps({"url": running.url, "token": running.token, "ca_file": running.ca_file}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


if __name__ == "__main__":
    main()
