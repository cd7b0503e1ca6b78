"""The ``identity:`` section of ``crmhub.yaml``: matching rules, thresholds and survivorship per stream.

Every key has a default, so a configuration without the section behaves as documented in the
README ("Identity resolution")::

    identity:
      streams:
        contacts:
          rules: [email, national_id, phone_and_name]
          match_threshold: 0.95       # probability at or above which a pair merges on its own
          review_threshold: 0.6       # at or above: a person decides (crmhub review)
          estimate: em                # m probabilities from the data (em) or from `parameters` (fixed)
          parameters: {email: {m: {exact: 0.8}}}
          survivorship:
            default: fill_blanks
            source_priority: [crm, legacy]
            fields: {email: most_recent, address.street: most_complete}
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ComparisonParameters",
    "IdentitySettings",
    "ReviewAction",
    "StreamIdentitySettings",
    "SurvivorshipRule",
    "SurvivorshipSettings",
]


class SurvivorshipRule(enum.StrEnum):
    """How a field of a golden record is chosen when several records of one person offer a value."""

    FILL_BLANKS = "fill_blanks"
    """The value already there stays; another record may only fill an empty field."""
    SOURCE_PRIORITY = "source_priority"
    """The value from the connection listed first in ``source_priority`` wins."""
    MOST_RECENT = "most_recent"
    """The value from the record updated last wins."""
    MOST_COMPLETE = "most_complete"
    """The longer value wins (``Atatürk Cad. No:5 D:3`` over ``Atatürk Cad.``)."""


class ReviewAction(enum.StrEnum):
    """What a sync does with a record that only possibly matches a known one."""

    HOLD = "hold"
    """Quarantine it (code ``identity_review``) until the review decides; ``quarantine retry`` then loads it."""
    CREATE = "create"
    """Create it as a new record and leave the pair in the review queue."""


class SurvivorshipSettings(BaseModel):
    """Per-field survivorship. An empty value never overwrites a value, whatever the rule."""

    model_config = ConfigDict(extra="forbid")

    default: SurvivorshipRule = SurvivorshipRule.FILL_BLANKS
    fields: dict[str, SurvivorshipRule] = Field(default_factory=dict, description="canonical field → rule")
    source_priority: list[str] = Field(default_factory=list, description="connections, most trusted first")

    def rule_for(self, field: str) -> SurvivorshipRule:
        """The rule of ``field`` (``custom.*`` entries match every custom field)."""
        if field in self.fields:
            return self.fields[field]
        head = field.split(".", 1)[0]
        return self.fields.get(f"{head}.*", self.default)


class ComparisonParameters(BaseModel):
    """m and u probabilities of one comparison, by level name (``exact``, ``close``, ``different`` …)."""

    model_config = ConfigDict(extra="forbid")

    m: dict[str, float] = Field(default_factory=dict)
    u: dict[str, float] = Field(default_factory=dict)


class StreamIdentitySettings(BaseModel):
    """How records of one stream are matched and merged."""

    model_config = ConfigDict(extra="forbid")

    rules: list[str] | None = Field(None, description="deterministic rules; default: every rule of the stream")
    blocking: list[str] | None = Field(None, description="blocking rules; default: every rule of the stream")
    match_threshold: float = Field(0.95, gt=0, lt=1, description="probability for an automatic merge")
    review_threshold: float = Field(0.6, gt=0, lt=1, description="probability for the review queue")
    estimate: Literal["em", "fixed"] = Field("em", description="estimate m probabilities by EM in batch runs")
    prior: float | None = Field(None, gt=0, lt=1, description="share of candidate pairs that match; "
                                "default: estimated in batch runs, 0.05 in syncs")
    parameters: dict[str, ComparisonParameters] = Field(default_factory=dict)
    max_block_size: int = Field(20, ge=2, description="a blocking key shared by more records is skipped as "
                                "too common to be evidence (in syncs at most 100: the candidate index holds no more)")
    default_region: str = Field("TR", min_length=2, max_length=2, description="region of national phone numbers")
    email_provider_rules: bool = Field(True, description="ignore dots and +tags in Gmail addresses")
    probabilistic: bool = Field(True, description="score records that match no exact key during syncs")
    review_action: ReviewAction = ReviewAction.HOLD
    survivorship: SurvivorshipSettings = Field(default_factory=SurvivorshipSettings)

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> StreamIdentitySettings:
        if self.review_threshold > self.match_threshold:
            raise ValueError("review_threshold must not be above match_threshold")
        return self


class IdentitySettings(BaseModel):
    """The whole ``identity:`` section."""

    model_config = ConfigDict(extra="forbid")

    streams: dict[str, StreamIdentitySettings] = Field(default_factory=dict)

    def for_stream(self, stream: str) -> StreamIdentitySettings:
        """The settings of ``stream``; the defaults when the stream is not listed."""
        return self.streams.get(stream) or StreamIdentitySettings()
