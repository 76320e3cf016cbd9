"""The HTTP API's wire shapes (never tables, never events)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from smsbus.runtime.api_types import INT32_MAX, StoredInstant, StrictBody

_Strict = StrictBody


class RowErrorOut(BaseModel):
    line: int
    reason: str
    value: str | None = None


class ImportResult(BaseModel):
    imported: int
    """Distinct contacts created or updated."""
    duplicates: list[RowErrorOut]
    """Rows whose phone appeared earlier in the file (merged into the first)."""
    invalid: list[RowErrorOut]
    contact_ids: list[str]


class ImportOut(BaseModel):
    """A contact import (POST /v1/contacts/imports) and how far it got."""

    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    file_name: str | None
    file_bytes: int
    bytes_read: int
    percent: float
    """Of the file's bytes read; 100 once it succeeded."""
    rows_read: int
    """Data rows (the header is not one)."""
    imported: int
    """Distinct contacts created or updated (each recorded against the import)."""
    created: int
    """Of those, the new ones."""
    rejected: int
    """invalid + duplicates."""
    invalid: int
    duplicates: int
    """Rows whose phone appeared earlier in the file (the first one is imported)."""
    errors: list[RowErrorOut]
    """The first rejected rows in file order (at most 100), with their line and reason."""
    list_id: str | None
    reason: str | None
    """Why it failed."""
    consent_rows: int
    """Rows with consent columns (consent, consent_source, consent_at, consent_text), handed to
    compliance as a consent import once the contacts are in."""
    consent_import_id: int | None
    """compliance's consent import of them (`GET /v1/consent/imports/{id}` there)."""
    consent: dict[str, Any] | None
    """compliance's outcome of it as last asked: status, granted, revoked, no_consent,
    kept_opted_out, refused (by reason), summary, error."""
    check_lines: bool = False
    """Asked to have compliance check its numbers' line types once the contacts are in."""
    lines: dict[str, Any] | None = None
    """That check's outcome: checked, invalid, valid_mobile, by_line_type, lookups (the month's
    quota as compliance last told it), error (why it stopped short; the import still succeeds)."""
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    phone: str
    first_name: str | None
    last_name: str | None
    company: str | None
    email: str | None
    state: str | None
    fields: dict[str, Any]
    openphone_id: str | None
    office_number: bool
    do_not_contact: bool
    recently_texted_until: datetime | None


class ContactPage(BaseModel):
    data: list[ContactOut]
    count: int


class FlagsIn(_Strict):
    office_number: bool | None = None
    do_not_contact: bool | None = None
    recently_texted_until: StoredInstant | None = None


class ListIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["static", "dynamic"] = "static"
    contact_ids: list[str] = []
    import_id: str | None = None
    """Static lists: also every contact that import created or updated."""
    filter: dict[str, Any] | None = None
    """Dynamic lists: {"all": [{"field", "op", "value"}]}."""


class ListMembersIn(_Strict):
    contact_ids: list[str] = []
    import_id: str | None = None
    """Every contact that import created or updated."""


class ListOut(BaseModel):
    id: str
    name: str
    kind: str
    filter: dict[str, Any] | None
    size: int


class TemplateIn(_Strict):
    template: str = Field(min_length=1, max_length=1600)


class TemplateCheck(BaseModel):
    valid: bool
    fields: list[str]
    error: str | None = None
    position: int | None = None


class TemplateSave(_Strict):
    """A template for the library."""

    name: str = Field(min_length=1, max_length=200)
    """Unique among the live (not archived) templates."""
    body: str = Field(min_length=1, max_length=1600)
    description: str | None = Field(default=None, max_length=2000)


class TemplateChange(_Strict):
    """What changes; a new body is a new version (campaigns made earlier keep theirs)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=1600)
    description: str | None = Field(default=None, max_length=2000)


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    body: str
    description: str | None
    version: int
    fields: list[str]
    """The placeholders the body uses."""
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None
    performance: dict[str, Any]
    """Summed over every campaign variant made from it: `campaigns`; `total` and `by_version`
    (members, sent, delivered, failed, responded, opted_out, with the rates the campaign
    statistics give); `uses`, one per campaign variant."""


class PreviewIn(TemplateIn):
    contact_id: str | None = None
    values: dict[str, Any] = {}


class PreviewOut(BaseModel):
    text: str | None
    sendable: bool
    reason: str | None
    encoding: str | None
    characters: int | None
    segments: int | None


class VariantIn(_Strict):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    template: str | None = Field(default=None, min_length=1, max_length=1600)
    """The text, with placeholders; or name a saved one in `template_id`."""
    template_id: str | None = Field(default=None, min_length=1, max_length=64)
    """A template of the library (/v1/templates): its body is copied into the campaign."""
    weight: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _one_template(self) -> VariantIn:
        if (self.template is None) == (self.template_id is None):
            raise ValueError("give a variant either its template or a template_id")
        return self


class WindowIn(_Strict):
    days: list[int] = [0, 1, 2, 3, 4]
    """Weekdays, 0 = Monday."""
    start: time = time(9)
    end: time = time(18)

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if not value or any(d not in range(7) for d in value):
            raise ValueError("days are 0 (Monday) … 6 (Sunday), at least one")
        return sorted(set(value))

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        # An offset would make start and end incomparable (a 500 the fuzzing found) and mean
        # nothing: the window is read in the campaign's time zone.
        if value.tzinfo is not None:
            raise ValueError("a window's times are wall-clock times, without an offset")
        return value


class CampaignIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    line: str = Field(min_length=1, max_length=64)
    """The sending line: OpenPhone phone number id (`PN…`) or its E.164 number."""
    purpose: Literal["marketing", "transactional"] = "marketing"
    variants: list[VariantIn] = Field(min_length=1, max_length=10)
    daily_limit: int | None = Field(default=125, ge=1, le=INT32_MAX)
    line_segment_budget: int | None = Field(default=None, ge=1, le=INT32_MAX)
    timezone: str = "America/New_York"
    """The zone the daily limit's day is counted in."""
    window: WindowIn = WindowIn()
    min_gap_days: float | None = Field(default=30.0, ge=0)
    min_sample: int = Field(default=100, ge=1, le=INT32_MAX)
    scheduled_at: StoredInstant | None = None


class CampaignOut(BaseModel):
    id: str
    name: str
    status: str
    line: str
    purpose: str
    variants: list[dict[str, Any]]
    daily_limit: int | None
    line_segment_budget: int | None
    timezone: str
    window: dict[str, Any]
    min_gap_days: float | None
    min_sample: int
    scheduled_at: datetime | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    pause_reason: str | None = None
    """While paused: `manual` (the API), or why the egress could not send for the account
    (`openphone_unauthorized`, `openphone_payment_required`, `a2p_not_registered`…)."""
    paused_at: datetime | None = None
    resumed_at: datetime | None = None


class MembersIn(_Strict):
    list_id: str | None = None
    contact_ids: list[str] = []
    import_id: str | None = None
    """Every contact that import created or updated (not deleted since)."""


class MembersAdded(BaseModel):
    added: int
    duplicates: int
    missing: list[str]


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    contact_id: str
    phone: str
    variant: str
    status: str
    reason: str | None
    message_id: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    responded_at: datetime | None
    reply_text: str | None
    reply_sentiment: str | None


class ClockIn(_Strict):
    set: AwareDatetime | None = None
    advance: float | None = None
