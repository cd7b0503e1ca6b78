"""The shape of ``crmhub.yaml``: state store, connections and pipelines."""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.consent.policy import ConsentPolicy
from hub.identity.settings import IdentitySettings

# Keys of a connection that the hub reads itself; every other key belongs to the connector's config model.
CONNECTION_KEYS = frozenset({"connector", "mapping", "classification", "region"})


class Classification(enum.StrEnum):
    """What a system is used for; consent rules decide per class what may reach it."""

    MARKETING = "marketing"
    SALES = "sales"
    SUPPORT = "support"
    ACCOUNTING = "accounting"
    STORAGE = "storage"
    ANALYTICS = "analytics"


class ConnectionSettings(BaseModel):
    """One connection: a connector name, its own settings, and how the hub treats it."""

    model_config = ConfigDict(extra="forbid")

    connector: str
    mapping: str | None = Field(None, description="mapping name in mappings/ or a path; none: canonical names")
    classification: Classification = Classification.STORAGE
    region: str | None = Field(None, description="where the system keeps data: ISO country code or EU")
    settings: dict[str, Any] = Field(default_factory=dict, description="the connector's own keys")


class ConflictRule(enum.StrEnum):
    """Who wins when both sides changed the same field."""

    SOURCE_WINS = "source_wins"
    TARGET_WINS = "target_wins"
    NEWEST_WINS = "newest_wins"
    FIELD_OWNER = "field_owner"
    MANUAL = "manual"


class DeleteRule(enum.StrEnum):
    """What happens in the target when a record disappears from the source."""

    PROPAGATE = "propagate"
    ARCHIVE = "archive"
    IGNORE = "ignore"


class Direction(enum.StrEnum):
    """Which way a pipeline moves changes."""

    SOURCE_TO_TARGET = "source_to_target"
    BOTH = "both"


class PipelineSettings(BaseModel):
    """A named move of data from one connection to another."""

    model_config = ConfigDict(extra="forbid")

    source: str
    target: str
    streams: list[str] = Field(default_factory=lambda: ["contacts"])
    purposes: list[str] = Field(default_factory=list, description="what the target uses the data for")
    batch_size: int | None = Field(None, ge=1, le=100_000, description="records per batch and checkpoint; "
                                   "default: the target connector's preferred write size, at least 1,000")
    conflict: ConflictRule = ConflictRule.SOURCE_WINS
    deletes: DeleteRule = DeleteRule.IGNORE
    direction: Direction = Field(Direction.SOURCE_TO_TARGET,
                                 description="both: two-way sync, changes on either side reach the other")
    field_owners: dict[str, str] = Field(
        default_factory=dict,
        description="conflict: field_owner — canonical field (or pattern such as consent.*) → owning connection")
    clock_skew_s: float = Field(5.0, ge=0, description="newest_wins: modification times closer than this are a tie")
    dedup: bool = Field(True, description="match records on e-mail and national id, merge instead of duplicating")
    workers: int | Literal["auto"] = Field("auto", description="processes that map and validate in parallel")
    parallel_after: int = Field(20_000, ge=0, description="records read before worker processes start")

    @model_validator(mode="after")
    def _distinct_ends(self) -> PipelineSettings:
        if self.source == self.target:
            raise ValueError("source and target must be different connections")
        strangers = sorted({owner for owner in self.field_owners.values()} - {self.source, self.target})
        if strangers:
            raise ValueError(f"field_owners may name only the pipeline's source or target, not {', '.join(strangers)}")
        if self.conflict is ConflictRule.FIELD_OWNER and not self.field_owners:
            raise ValueError("conflict: field_owner needs field_owners (canonical field → connection)")
        return self


class HubSettings(BaseModel):
    """The whole configuration file."""

    model_config = ConfigDict(extra="forbid")

    state: str = "sqlite:///.crmhub/state.db"
    connections: dict[str, ConnectionSettings] = Field(default_factory=dict)
    pipelines: dict[str, PipelineSettings] = Field(default_factory=dict)
    mappings_dir: str | None = Field(None, description="extra folder searched for mapping files")
    quarantine_retention_days: int = Field(90, ge=1)
    consent: ConsentPolicy = Field(default_factory=ConsentPolicy, description="data-protection checks and deadlines")
    identity: IdentitySettings = Field(default_factory=IdentitySettings,
                                       description="matching rules, thresholds and survivorship per stream")
