"""The wire shapes of phone validation, one number or a batch, and of the lookup quota."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from smsbus.compliance.domain.phones import LineType
from smsbus.runtime.api_types import StrictBody


class LookupInfo(BaseModel):
    enabled: bool
    source: str | None
    fetched_at: datetime | None
    error: str | None
    quota_used: int | None


class ValidationResponse(BaseModel):
    input: str
    e164: str
    valid: bool
    possible: bool
    country_code: int
    region: str | None
    number_type: str
    line_type: LineType
    """`unknown` where neither phonenumbers nor a lookup can say (US mobile vs landline)."""
    carrier: str | None
    time_zones: list[str]
    location: str | None
    lookup: LookupInfo


class LookupUsageOut(BaseModel):
    enabled: bool
    """Lookups are configured (SMSBUS_COMPLIANCE_NUMVERIFY_API_KEY)."""
    month: str
    """The UTC month the quota counts (YYYY-MM)."""
    used: int
    quota: int
    remaining: int


class PhonesToValidate(StrictBody):
    phones: list[str] = Field(min_length=1, max_length=100)
    lookup: bool = True
    """Ask the lookup provider about numbers not cached (within the quota); false: cache only."""


class ValidatedPhone(BaseModel):
    input: str
    error: str | None
    """Why the input is no phone number; then `validation` is null."""
    validation: ValidationResponse | None


class ValidationSummary(BaseModel):
    total: int
    invalid: int
    """Not a phone number, or a number in no assigned range."""
    valid: int
    valid_mobile: int
    """Valid and known to be mobile: the numbers a text reaches."""
    by_line_type: dict[str, int]
    """Valid numbers by line type (`unknown`: neither phonenumbers nor a lookup could say)."""


class BatchValidation(BaseModel):
    results: list[ValidatedPhone]
    """One per input, in order."""
    summary: ValidationSummary
    lookups: LookupUsageOut
    """The month's usage after this batch."""
