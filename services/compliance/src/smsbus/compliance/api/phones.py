"""Phone validation: what phonenumbers knows, plus a cached paid line-type lookup if enabled."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from smsbus.compliance.api.deps import ComplianceDep, invalid
from smsbus.compliance.api.schemas import LookupInfo, ValidationResponse
from smsbus.compliance.domain.phones import InvalidPhone, describe, location

router = APIRouter(prefix="/phones", tags=["phones"])


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
    async with compliance.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if lookup:
            status = await compliance.lookup.look_up(conn, phone=info.e164)
            answer, error, used = status.answer, status.error, status.quota_used
        else:
            answer, error, used = await compliance.lookup.cached(conn, phone=info.e164), None, None
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
            enabled=compliance.lookup.enabled,
            source=answer.source if answer else None,
            fetched_at=answer.fetched_at if answer else None,
            error=error,
            quota_used=used,
        ),
    )
