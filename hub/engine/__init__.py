"""The sync engine: runs records through mapping, validation, consent, identity and load, resumably."""

from hub.engine.retry import RetryPolicy
from hub.engine.runner import Engine, RunRequest
from hub.engine.summary import RunSummary

__all__ = ["Engine", "RetryPolicy", "RunRequest", "RunSummary"]
