"""Reading a source with retries: a failed read resumes from the last checkpoint and skips what was already seen."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from hub.connectors.api import Connector
from hub.engine.retry import RetryPolicy
from hub.errors import RetriableError
from hub.records import Checkpoint, SourceRecord


def resilient_read(
    connector: Connector,
    stream: str,
    start: dict[str, Any] | None,
    policy: RetryPolicy,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> Iterator[SourceRecord | Checkpoint]:
    """Yield what ``connector.read`` yields; on a :class:`RetriableError` re-open the read at the last checkpoint.

    Records yielded since that checkpoint are skipped on the replay (by id, counting repeats), so
    every record is yielded exactly once even when the source fails half-way through a page.
    """
    cursor = start
    since_checkpoint: Counter[str] = Counter()
    failures = 0
    while True:
        replay = Counter(since_checkpoint)
        try:
            for item in connector.read(stream, Checkpoint(stream, cursor) if cursor is not None else None):
                if isinstance(item, Checkpoint):
                    cursor = item.cursor
                    since_checkpoint.clear()
                    replay.clear()
                    yield item
                    continue
                if replay[item.id] > 0:
                    replay[item.id] -= 1
                    continue
                since_checkpoint[item.id] += 1
                yield item
            return
        except RetriableError as exc:
            failures += 1
            if failures >= policy.attempts:
                raise
            wait = min(max(exc.retry_after or 0.0, policy.initial_wait * 2 ** (failures - 1)), policy.max_wait)
            if on_retry:
                on_retry(exc, wait)
            time.sleep(wait)
