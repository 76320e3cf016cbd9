"""Phone validation: what phonenumbers knows, plus a cached paid line-type lookup if enabled;
one number or a batch, and the month's lookup usage."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Final

from fastapi import APIRouter

from smsbus.compliance.api.deps import Compliance, ComplianceDep, invalid
from smsbus.compliance.api.phone_schemas import (
    BatchValidation,
    LookupInfo,
    LookupUsageOut,
    PhonesToValidate,
    ValidatedPhone,
    ValidationResponse,
    ValidationSummary,
)
from smsbus.compliance.domain.phones import InvalidPhone, PhoneInfo, describe, location
from smsbus.compliance.lookup import LookupStatus

router = APIRouter(prefix="/phones", tags=["phones"])

LOOKUPS_AT_ONCE: Final = 4
"""A batch's provider requests in flight at once (each on its own connection)."""


@router.get("/{phone}/validation", response_model=ValidationResponse)
async def validate_phone(
    phone: str, compliance: ComplianceDep, lookup: bool = True
) -> ValidationResponse:
    """E.164, validity, country, number type and time zones; the line type from the lookup
    provider when one is configured (cached; `lookup=false` uses the cache only)."""
    try:
        info = describe(phone, default_region=compliance.settings.default_region)
    except InvalidPhone as exc:
        raise invalid("path", "phone", f"{phone!r}: {exc}") from None
    return await _response(phone, info, await _line_type(compliance, info.e164, lookup=lookup))


@router.post("/validation")
async def validate_phones(request: PhonesToValidate, compliance: ComplianceDep) -> BatchValidation:
    """Up to 100 numbers, each validated as `GET /phones/{phone}/validation` does: an input
    that is no number gets its `error`, the others their answer; a paid lookup only for a line
    type phonenumbers cannot tell, once per number however written. The summary: how many are
    valid, how many a text reaches (`valid_mobile`), by line type."""
    described: dict[str, PhoneInfo | str] = {}
    for phone in request.phones:
        try:
            described[phone] = describe(phone, default_region=compliance.settings.default_region)
        except InvalidPhone as exc:
            described[phone] = str(exc)
    gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

    async def line_type(info: PhoneInfo) -> LookupStatus:
        # A paid lookup only where phonenumbers cannot say: the quota goes further.
        async with gate:
            return await _line_type(
                compliance, info.e164, lookup=request.lookup and info.line_type == "unknown"
            )

    numbers = {info.e164: info for info in described.values() if isinstance(info, PhoneInfo)}
    answers = dict(
        zip(numbers, await asyncio.gather(*map(line_type, numbers.values())), strict=True)
    )
    results = []
    for phone in request.phones:
        info = described[phone]
        if isinstance(info, str):
            results.append(ValidatedPhone(input=phone, error=info, validation=None))
        else:
            answer = await _response(phone, info, answers[info.e164])
            results.append(ValidatedPhone(input=phone, error=None, validation=answer))
    return BatchValidation(
        results=results, summary=_summary(results), lookups=await _usage(compliance)
    )


@router.get("/lookups")
async def lookup_usage(compliance: ComplianceDep) -> LookupUsageOut:
    """This UTC month's paid line-type lookups: used, the quota, what remains."""
    return await _usage(compliance)


async def _line_type(compliance: Compliance, e164: str, *, lookup: bool) -> LookupStatus:
    async with compliance.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if lookup:
            return await compliance.lookup.look_up(conn, phone=e164)
        cached = await compliance.lookup.cached(conn, phone=e164)
        return LookupStatus(enabled=compliance.lookup.enabled, answer=cached)


async def _response(phone: str, info: PhoneInfo, looked_up: LookupStatus) -> ValidationResponse:
    answer = looked_up.answer
    # A paid lookup may say what phonenumbers cannot; it never overrides a known special range.
    line_type = info.line_type
    if answer is not None and info.line_type == "unknown":
        line_type = answer.line_type
    return ValidationResponse(
        input=phone,
        e164=info.e164,
        valid=info.valid,
        possible=info.possible,
        country_code=info.country_code,
        region=info.region,
        number_type=info.number_type,
        line_type=line_type,
        carrier=answer.carrier if answer else None,
        time_zones=list(info.time_zones),
        # The first call imports phonenumbers' geocoder (seconds): off the event loop.
        location=await asyncio.to_thread(location, info.e164),
        lookup=LookupInfo(
            enabled=looked_up.enabled,
            source=answer.source if answer else None,
            fetched_at=answer.fetched_at if answer else None,
            error=looked_up.error,
            quota_used=looked_up.quota_used,
        ),
    )


def _summary(results: list[ValidatedPhone]) -> ValidationSummary:
    valid = [r.validation for r in results if r.validation is not None and r.validation.valid]
    return ValidationSummary(
        total=len(results),
        invalid=len(results) - len(valid),
        valid=len(valid),
        valid_mobile=sum(1 for v in valid if v.line_type == "mobile"),
        by_line_type=dict(sorted(Counter(v.line_type for v in valid).items())),
    )


async def _usage(compliance: Compliance) -> LookupUsageOut:
    async with compliance.engine.connect() as conn:
        usage = await compliance.lookup.usage(conn)
    return LookupUsageOut.model_validate(usage, from_attributes=True)
