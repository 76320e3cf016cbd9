"""/v1/campaigns: create, list, read, members, lifecycle, statistics and the A/B analysis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query

from smsbus.campaigns.api.contacts import known_fields
from smsbus.campaigns.api.deps import EngineDep, not_found, unprocessable
from smsbus.campaigns.api.imports import finished_import
from smsbus.campaigns.api.schemas import (
    CampaignIn,
    CampaignOut,
    ClockIn,
    MemberOut,
    MembersAdded,
    MembersIn,
    VariantIn,
)
from smsbus.campaigns.domain import egress, lifecycle, reporting, stats, templates
from smsbus.campaigns.models import CampaignRow, ContactRow
from smsbus.campaigns.store import campaigns as store
from smsbus.campaigns.store import contacts as contact_store
from smsbus.campaigns.store import imports as import_store
from smsbus.campaigns.store import templates as template_store
from smsbus.runtime.api_types import INT64_MAX, Responses, StoredText, error
from smsbus.runtime.db import SessionDep

router = APIRouter(prefix="/v1")
NO_CAMPAIGN: Responses = {404: error("No such campaign.")}
WRONG_STATE: Responses = {409: error("Not in this state (a transition the campaign cannot make).")}


def campaign_out(row: CampaignRow) -> CampaignOut:
    window = {"days": row.window_days, "start": row.window_start, "end": row.window_end}
    return CampaignOut(
        **row.model_dump(exclude={"window_days", "window_start", "window_end"}), window=window
    )


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
async def create_campaign(body: CampaignIn, engine: EngineDep, session: SessionDep) -> CampaignOut:
    names = [v.name for v in body.variants]
    if len(set(names)) != len(names):
        raise unprocessable("variants", "variant names must be unique")
    async with session.begin():
        variants = await _variants(body.variants, session)
    try:
        ZoneInfo(body.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise unprocessable("timezone", f"unknown time zone {body.timezone!r}") from None
    if body.window.start >= body.window.end:
        raise unprocessable("window", "start must be before end")
    row = CampaignRow(
        id=engine.new_id(),
        name=body.name,
        status="scheduled" if body.scheduled_at else "draft",
        line=body.line,
        purpose=body.purpose,
        variants=variants,
        daily_limit=body.daily_limit,
        line_segment_budget=body.line_segment_budget,
        timezone=body.timezone,
        window_days=body.window.days,
        window_start=body.window.start.strftime("%H:%M"),
        window_end=body.window.end.strftime("%H:%M"),
        min_gap_days=body.min_gap_days,
        min_sample=body.min_sample,
        scheduled_at=body.scheduled_at,
    )
    async with session.begin():
        session.add(row)
    async with session.begin():
        await session.refresh(row)
    return campaign_out(row)


async def _variants(given: Sequence[VariantIn], session: SessionDep) -> list[dict[str, Any]]:
    """The variants as the campaign keeps them: a library template's body copied in, with its
    id and version; every template parsed against the fields contacts have."""
    fields = await known_fields(session)
    variants: list[dict[str, Any]] = []
    for i, variant in enumerate(given):
        kept = variant.model_dump(exclude_none=True)
        if variant.template_id is not None:
            saved = await template_store.get_template(
                session=session, template_id=variant.template_id
            )
            if saved is None or saved.archived_at is not None:
                reason = "no such template" if saved is None else "the template is archived"
                raise unprocessable(f"variants[{i}].template_id", reason)
            kept |= {"template": saved.body, "template_version": saved.version}
        try:
            templates.parse(kept["template"], known_fields=fields)
        except templates.TemplateError as exc:
            raise unprocessable(
                f"variants[{i}].template", str(exc), position=exc.position
            ) from None
        variants.append(kept)
    return variants


@router.get("/campaigns", response_model=list[CampaignOut])
async def list_campaigns(session: SessionDep) -> list[CampaignOut]:
    return [campaign_out(row) for row in await store.campaigns(session=session)]


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=NO_CAMPAIGN)
async def get_campaign(campaign_id: StoredText, session: SessionDep) -> CampaignOut:
    row = await store.get_campaign(session=session, campaign_id=campaign_id)
    if row is None:
        raise not_found("campaign")
    return campaign_out(row)


@router.post(
    "/campaigns/{campaign_id}/members",
    response_model=MembersAdded,
    status_code=201,
    responses=NO_CAMPAIGN | {409: error("The campaign takes no members, or the import runs.")},
)
async def add_members(
    campaign_id: StoredText, body: MembersIn, engine: EngineDep, session: SessionDep
) -> MembersAdded:
    """Adds a list's contacts, contacts by id and/or an import's contacts; a number already in
    the campaign is a duplicate (one member per phone)."""
    if not body.list_id and not body.contact_ids and not body.import_id:
        raise unprocessable("list_id", "give a list_id, contact_ids or an import_id")
    async with session.begin():
        campaign = await store.get_campaign(session=session, campaign_id=campaign_id, lock=True)
        if campaign is None:
            raise not_found("campaign")
        if not lifecycle.accepts_members(campaign.status):
            raise HTTPException(409, f"a {campaign.status} campaign takes no members")
        contacts = []
        if body.list_id:
            listed = await contact_store.get_list(session=session, list_id=body.list_id)
            if listed is None:
                raise unprocessable("list_id", "unknown list")
            contacts += await contact_store.list_members(
                session=session, row=listed, now=engine.now()
            )
        found = await contact_store.contacts_by_id(session=session, ids=body.contact_ids)
        known = {c.id for c in found}
        contacts += found

        async def add(some: Sequence[ContactRow]) -> tuple[int, int]:
            return await store.add_members(
                session=session, campaign=campaign, contacts=some, new_id=engine.new_id,
                now=engine.now(),
            )  # fmt: skip

        added, duplicates = await add(contacts)
        if body.import_id:
            imported = await finished_import(session=session, import_id=body.import_id)
            pages = import_store.imported_contacts(session=session, import_id=imported.id)
            async for page in pages:  # a page at a time: an import may hold a million
                more, repeated = await add(page)
                added, duplicates = added + more, duplicates + repeated
    missing = [c for c in body.contact_ids if c not in known]
    return MembersAdded(added=added, duplicates=duplicates, missing=missing)


@router.get("/campaigns/{campaign_id}/members", response_model=list[MemberOut])
async def list_members(
    campaign_id: StoredText,
    session: SessionDep,
    status: StoredText | None = None,
    limit: Annotated[int, Query(ge=0, description="at most 5000 are answered")] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> list[MemberOut]:
    rows = await store.members_page(
        session=session,
        campaign_id=campaign_id,
        status=status,
        limit=min(limit, 5000),
        offset=offset,
    )
    return [MemberOut.model_validate(r) for r in rows]


Action = Literal["start", "pause", "resume", "cancel"]


async def _act(
    campaign_id: str, action: Action, engine: EngineDep, session: SessionDep
) -> CampaignOut:
    async with session.begin():
        row = await store.get_campaign(session=session, campaign_id=campaign_id, lock=True)
        if row is None:
            raise not_found("campaign")
        try:
            row.status = lifecycle.transition(row.status, action)
        except lifecycle.InvalidTransition as exc:
            raise HTTPException(409, str(exc)) from None
        if action == "start" and row.started_at is None:
            row.started_at = engine.now()
        if row.status == "cancelled":
            row.finished_at = engine.now()
        if action == "pause":
            row.pause_reason, row.paused_at = egress.MANUAL, engine.now()
        elif row.status != "paused":
            # Resumed (or cancelled, completed): nothing holds it any more. Its pending members
            # are requested again under new attempt numbers, so none is texted twice.
            row.pause_reason, row.paused_at = None, None
        if action == "resume":
            row.resumed_at = engine.now()
        session.add(row)
    if action == "pause":
        engine.paused(egress.MANUAL)
    return campaign_out(row)


_ACTIONS: dict[Action, str | None] = {  # each action's docstring (its OpenAPI description)
    "start": None,
    "pause": (
        "Nothing more is requested; requests already at the egress are refused there\n"
        "(`campaign_inactive`) and their members wait, pending, for a resume."
    ),
    "resume": (
        "Clears the pause (manual or the egress's deferral: fix its cause first); pending members\n"
        "are requested again, each under a new request id."
    ),
    "cancel": None,
}


def _action_route(action: Action, description: str | None) -> None:
    """POST /campaigns/{id}/<action>, named after the action (its OpenAPI operation)."""

    async def act(campaign_id: StoredText, engine: EngineDep, session: SessionDep) -> CampaignOut:
        return await _act(campaign_id, action, engine, session)

    act.__doc__ = description
    router.add_api_route(
        f"/campaigns/{{campaign_id}}/{action}", act, methods=["POST"], name=action,
        response_model=CampaignOut, responses=NO_CAMPAIGN | WRONG_STATE,
    )  # fmt: skip


for _action, _description in _ACTIONS.items():
    _action_route(_action, _description)


@router.get("/campaigns/{campaign_id}/stats", responses=NO_CAMPAIGN)
async def campaign_stats(campaign_id: StoredText, session: SessionDep) -> dict[str, Any]:
    """Counts per variant and in total; rates over delivered with Wilson 95% intervals."""
    row = await store.get_campaign(session=session, campaign_id=campaign_id)
    if row is None:
        raise not_found("campaign")
    per_variant = await store.counts(session=session, campaign_id=campaign_id)
    keys = [k for k in (per_variant[0] if per_variant else {}) if k != "variant"]
    total = {k: sum(v[k] for v in per_variant) for k in keys} if per_variant else {}
    return {
        "campaign_id": campaign_id,
        "status": row.status,
        "total": reporting.with_rates(total) if total else None,
        "variants": {
            v["variant"]: reporting.with_rates({k: v[k] for k in keys}) for v in per_variant
        },
        "skipped_by_reason": await store.skip_reasons(session=session, campaign_id=campaign_id),
        "denominator": "rates over delivered; delivery and failure rates over sent",
    }


@router.get("/campaigns/{campaign_id}/ab", responses=NO_CAMPAIGN)
async def ab_analysis(campaign_id: StoredText, session: SessionDep) -> dict[str, Any]:
    """Chi-square (Yates-corrected for 2 variants) of responded among delivered; with three or
    more, every pair (Holm-corrected) and a winner only if it beats every other variant."""
    row = await store.get_campaign(session=session, campaign_id=campaign_id)
    if row is None:
        raise not_found("campaign")
    counted = {
        v["variant"]: v for v in await store.counts(session=session, campaign_id=campaign_id)
    }
    arms = [
        stats.Arm(
            v["name"],
            float(v["weight"]),
            counted.get(v["name"], {}).get("members", 0),
            counted.get(v["name"], {}).get("delivered", 0),
            counted.get(v["name"], {}).get("responded", 0),
        )
        for v in row.variants
    ]
    result = stats.analyse(arms, min_sample=row.min_sample)
    return {
        "campaign_id": campaign_id,
        "metric": "responded / delivered",
        "test": "Pearson chi-square on responded vs not among delivered, Yates correction (2x2);"
        " 3+ variants: every pair, Holm-Bonferroni",
        "min_sample": row.min_sample,
        "arms": [a.__dict__ for a in arms],
        **result.__dict__,
    }


testing_router = APIRouter(prefix="/v1/testing", include_in_schema=False)


@testing_router.post("/clock")
async def set_clock(body: ClockIn, engine: EngineDep) -> dict[str, str]:
    if not engine.settings.clock_control:
        raise HTTPException(404, "clock control is off")
    if body.set is not None:
        engine.clock.set(body.set)
    if body.advance:
        engine.clock.advance(body.advance)
    return {"now": engine.now().isoformat()}
