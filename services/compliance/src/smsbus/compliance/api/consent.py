"""Classification, consent (read, record, export) and eligibility."""

from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from smsbus.compliance.api.deps import ComplianceDep
from smsbus.compliance.api.schemas import (
    ClassifyRequest,
    ClassifyResponse,
    ConsentExport,
    ConsentResponse,
    EligibilityRequest,
    EligibilityResponse,
    EligibilityResult,
    OutboundOut,
    RecordConsentRequest,
    RecordConsentResponse,
    entry_out,
    purposes_out,
)
from smsbus.compliance.consent_changes import record_change
from smsbus.compliance.domain import eligibility
from smsbus.compliance.domain.classifier import CLASSIFIER_VERSION, classify
from smsbus.compliance.domain.decisions import ConsentRequest, decide_recorded
from smsbus.compliance.domain.ledger import replay
from smsbus.compliance.domain.phones import InvalidPhone, PhoneInfo, describe
from smsbus.compliance.store import consent as store
from smsbus.compliance.store import dnc as dnc_store
from smsbus.compliance.store import facts as number_facts
from smsbus.runtime.auth import CallerDep
from smsbus.runtime.db import SessionDep

router = APIRouter(tags=["consent"])


@router.post("/classify", response_model=ClassifyResponse)
async def classify_text(body: ClassifyRequest) -> ClassifyResponse:
    """What the classifier reads in a text (nothing is recorded)."""
    result = classify(body.text)
    return ClassifyResponse(
        intent=result.intent,
        matched=result.matched,
        language=result.language,
        classifier_version=result.classifier_version,
    )


@router.get("/consent/{phone}", response_model=ConsentResponse)
async def get_consent(
    phone: str, compliance: ComplianceDep, session: SessionDep
) -> ConsentResponse:
    """The number's status, derived from its ledger, and the ledger itself (oldest first)."""
    e164 = compliance.e164(phone)
    entries = await store.ledger(session=session, phone=e164)
    since = await store.suppressed_since(session=session, phone=e164)
    view = replay(entries, revocation_scope=compliance.settings.revocation_scope)
    return ConsentResponse(
        phone=e164,
        status=view.status,
        suppressed=since is not None,
        purposes=purposes_out(view),
        history=[entry_out(entry) for entry in entries],
    )


@router.get("/consent/{phone}/export", response_model=ConsentExport)
async def export_consent(
    phone: str, compliance: ComplianceDep, session: SessionDep
) -> JSONResponse:
    """One number's whole history as a JSON document for an audit: every ledger entry with its
    evidence, the suppression, and every reply decided (with OpenPhone's message id once sent)."""
    e164 = compliance.e164(phone)
    entries = await store.ledger(session=session, phone=e164)
    since = await store.suppressed_since(session=session, phone=e164)
    replies = await store.replies(session=session, phone=e164)
    view = replay(entries, revocation_scope=compliance.settings.revocation_scope)
    export = ConsentExport(
        phone=e164,
        status=view.status,
        suppressed=since is not None,
        purposes=purposes_out(view),
        suppressed_at=since,
        history=[entry_out(entry) for entry in entries],
        replies=[OutboundOut.model_validate(reply) for reply in replies],
        exported_at=compliance.clock(),
        current_classifier_version=CLASSIFIER_VERSION,
    )
    filename = f"consent-{e164.lstrip('+')}.json"
    return JSONResponse(
        export.model_dump(mode="json"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/consent", response_model=RecordConsentResponse, status_code=201)
async def record_consent(
    body: RecordConsentRequest, compliance: ComplianceDep, session: SessionDep, caller: CallerDep
) -> RecordConsentResponse:
    """Append a grant (express by default) or a revocation recorded outside SMS; the event goes
    out on compliance.consent.v1. Sends no text."""
    e164 = compliance.e164(body.phone, where="body")
    now = compliance.clock()
    request = ConsentRequest(
        phone=e164,
        action=body.action,
        consent_type=body.consent_type if body.action == "granted" else None,
        source=body.source,
        scope=body.scope,
        actor=caller.name,
        details=body.details | ({"claimed_actor": body.actor} if body.actor else {}),
        received_at=body.received_at or now,
    )
    scope = compliance.settings.revocation_scope
    decide = partial(
        decide_recorded, request, now=now, entry_id=str(uuid.uuid4()), revocation_scope=scope
    )
    async with session.begin():
        decision = await record_change(
            session=session,
            phone=e164,
            revocation_scope=scope,
            decide=decide,
            topic=compliance.settings.topic_for("consent.revoked"),
        )
        entries = await store.ledger(session=session, phone=e164)
    assert decision.entry is not None  # a recorded change always appends an entry
    view = replay(entries, revocation_scope=scope)
    return RecordConsentResponse(
        phone=e164, status=view.status, purposes=purposes_out(view), entry=entry_out(decision.entry)
    )


@router.post("/eligibility", response_model=EligibilityResponse)
async def check_eligibility(
    body: EligibilityRequest, compliance: ComplianceDep, session: SessionDep
) -> EligibilityResponse:
    """For each number: may we text it for this purpose, and every reason not to."""
    settings = compliance.settings
    parsed: list[tuple[str, PhoneInfo | None]] = []
    for raw in body.phones:
        try:
            parsed.append((raw, describe(raw, default_region=settings.default_region)))
        except InvalidPhone:
            parsed.append((raw, None))
    phones = sorted({info.e164 for _, info in parsed if info is not None})
    consent = await number_facts.consent_facts(
        session=session, phones=phones, revocation_scope=settings.revocation_scope
    )
    lists = await dnc_store.listings(session=session, phones=phones)
    internal = await dnc_store.internal_entries(session=session, phones=phones)
    looked_up = await compliance.lookup.cached_many(await session.connection(), phones=phones)
    results = []
    for raw, info in parsed:
        facts = eligibility.Facts(phone=None)
        if info is not None:
            # A cached paid lookup may say what phonenumbers cannot (US mobile vs landline).
            known = info.line_type != "unknown"
            facts = eligibility.Facts(
                phone=info,
                line_type=info.line_type if known else looked_up.get(info.e164, "unknown"),
                # Revoked for this purpose (every purpose under the revocation scope `all`).
                suppressed=consent[info.e164].revoked(body.purpose),
                internal_dnc=info.e164 in internal,
                dnc_lists=tuple(listing.list_name for listing in lists[info.e164]),
                express_consent=consent[info.e164].view.of(body.purpose).express,
            )
        reasons = eligibility.reasons(
            facts,
            body.purpose,
            allowed_regions=settings.allowed_regions,
            marketing_requires_express_consent=settings.marketing_requires_express_consent,
        )
        results.append(
            EligibilityResult(
                input=raw,
                phone=info.e164 if info else None,
                may_send=not reasons,
                reasons=reasons,
                line_type=facts.line_type if info else None,
                dnc_lists=list(facts.dnc_lists),
            )
        )
    return EligibilityResponse(purpose=body.purpose, checked_at=compliance.clock(), results=results)
