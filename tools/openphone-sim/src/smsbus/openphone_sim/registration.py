"""Registering a webhook: its id, its own signing key, its payload generation."""

from __future__ import annotations

import base64

from smsbus.contracts.rest import Webhook
from smsbus.openphone.signing import STANDARD_KEY_PREFIX, SigningKey
from smsbus.openphone_sim.settings import Generation
from smsbus.openphone_sim.simulator import Simulator
from smsbus.openphone_sim.workspace import RegisteredWebhook


def new_signing_key(sim: Simulator, generation: Generation) -> str:
    encoded = base64.b64encode(sim.ids.signing_key()).decode()
    return STANDARD_KEY_PREFIX + encoded if generation == "2026-03-30" else encoded


def register_webhook(
    sim: Simulator,
    *,
    url: str,
    events: list[str],
    generation: Generation,
    key: str | None,
    label: str | None,
    resource_ids: list[str],
    user_id: str | None,
) -> RegisteredWebhook:
    now = sim.now()
    key = key or new_signing_key(sim, generation)
    webhook = Webhook(
        id=sim.ids.webhook(),
        url=url,
        events=events,
        key=key,
        status="enabled",
        label=label,
        resource_ids=resource_ids,
        user_id=user_id or sim.workspace.users[0].id,
        org_id=sim.settings.org_id,
        created_at=now,
        updated_at=now,
    )
    registered = RegisteredWebhook(
        webhook=webhook, generation=generation, signing_key=SigningKey.parse(key)
    )
    sim.workspace.webhooks[webhook.id] = registered
    return registered
