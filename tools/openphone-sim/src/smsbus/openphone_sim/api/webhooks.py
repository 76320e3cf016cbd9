"""Webhook management: `/v1/webhooks/{messages|calls|call-summaries|call-transcripts}` (v4
payloads, base64 key) and the 2026-03-30 `/webhooks` (versioned payloads, `whsec_` key)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Header, Request, Response
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from smsbus.contracts.rest import ErrorDetail
from smsbus.openphone_sim.api.common import SimDep, data_answer, items_answer
from smsbus.openphone_sim.errors import ApiError, validation_error
from smsbus.openphone_sim.events import API_EVENTS, VERSIONED_EVENTS, WebhookKind
from smsbus.openphone_sim.registration import register_webhook
from smsbus.openphone_sim.settings import Generation
from smsbus.openphone_sim.simulator import Simulator
from smsbus.openphone_sim.workspace import RegisteredWebhook

VERSIONED: Generation = "2026-03-30"


class CreateWebhook(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)

    url: AnyHttpUrl
    events: list[str] = Field(min_length=1)
    label: str | None = None
    resource_ids: list[str] = ["*"]
    status: Literal["enabled", "disabled"] = "enabled"
    user_id: str | None = None


def _check_events(events: list[str], allowed: tuple[str, ...]) -> None:
    wrong = [event for event in events if event not in allowed]
    if wrong:
        raise validation_error(
            [ErrorDetail(path="/events", message=f"allowed: {', '.join(allowed)}", value=wrong[0])],
            f"events not allowed here: {', '.join(wrong)}",
        )


def _create(sim: Simulator, body: CreateWebhook, generation: Generation) -> RegisteredWebhook:
    registered = register_webhook(
        sim,
        url=str(body.url),
        events=body.events,
        generation=generation,
        key=None,
        label=body.label,
        resource_ids=body.resource_ids,
        user_id=body.user_id,
    )
    if body.status == "disabled":
        disabled = registered.webhook.model_copy(update={"status": "disabled"})
        registered = RegisteredWebhook(disabled, registered.generation, registered.signing_key)
        sim.workspace.webhooks[registered.id] = registered
    return registered


def _of_generation(sim: Simulator, webhook_id: str, versioned: bool) -> RegisteredWebhook:
    registered = sim.workspace.webhook(webhook_id)
    if (registered.generation == VERSIONED) != versioned:
        raise ApiError(404, f"no webhook {webhook_id!r} in this API version")
    return registered


def _require_version(version: str | None) -> None:
    if version != VERSIONED:
        raise ApiError(400, f"send Quo-Api-Version: {VERSIONED}")


def router() -> APIRouter:
    api = APIRouter()

    @api.post("/v1/webhooks/{kind}", status_code=201)
    async def create_v1_webhook(
        kind: WebhookKind, body: CreateWebhook, sim: SimDep
    ) -> dict[str, Any]:
        _check_events(body.events, API_EVENTS[kind])
        return data_answer(_create(sim, body, "v4").webhook)

    @api.get("/v1/webhooks")
    async def list_v1_webhooks(request: Request, sim: SimDep) -> dict[str, Any]:
        user_id = request.query_params.get("userId")
        return items_answer(
            [
                registered.webhook
                for registered in sim.workspace.webhooks.values()
                if registered.generation != VERSIONED
                and (user_id is None or registered.webhook.user_id == user_id)
            ]
        )

    @api.get("/v1/webhooks/{webhook_id}")
    async def get_v1_webhook(webhook_id: str, sim: SimDep) -> dict[str, Any]:
        return data_answer(_of_generation(sim, webhook_id, versioned=False).webhook)

    @api.delete("/v1/webhooks/{webhook_id}", status_code=204)
    async def delete_v1_webhook(webhook_id: str, sim: SimDep) -> Response:
        del sim.workspace.webhooks[_of_generation(sim, webhook_id, versioned=False).id]
        return Response(status_code=204)

    @api.post("/webhooks", status_code=201)
    async def create_versioned_webhook(
        body: CreateWebhook,
        sim: SimDep,
        quo_api_version: str | None = Header(default=None, alias="Quo-Api-Version"),
    ) -> dict[str, Any]:
        _require_version(quo_api_version)
        _check_events(body.events, VERSIONED_EVENTS)
        return data_answer(_create(sim, body, VERSIONED).webhook)

    @api.get("/webhooks")
    async def list_versioned_webhooks(sim: SimDep) -> dict[str, Any]:
        return items_answer(
            [r.webhook for r in sim.workspace.webhooks.values() if r.generation == VERSIONED]
        )

    @api.delete("/webhooks/{webhook_id}", status_code=204)
    async def delete_versioned_webhook(webhook_id: str, sim: SimDep) -> Response:
        del sim.workspace.webhooks[_of_generation(sim, webhook_id, versioned=True).id]
        return Response(status_code=204)

    return api
