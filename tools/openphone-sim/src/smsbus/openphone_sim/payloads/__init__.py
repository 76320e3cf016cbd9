"""Webhook payload generations: one small module each, chosen per webhook by its generation.

A generation says which events exist in it, how an event is rendered, and which signature
scheme signs it. Bodies are compact JSON; the renderers only build dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smsbus.openphone.signing import Scheme
from smsbus.openphone_sim.events import APP_EVENTS, V4_EVENTS, VERSIONED_EVENTS, SimEvent
from smsbus.openphone_sim.payloads import app, v4, versioned
from smsbus.openphone_sim.settings import Generation


@dataclass(frozen=True)
class PayloadGeneration:
    events: tuple[str, ...]
    render: Callable[[SimEvent], dict[str, Any]]
    scheme: Scheme


GENERATIONS: dict[Generation, PayloadGeneration] = {
    "v2": PayloadGeneration(APP_EVENTS, app.render_v2, Scheme.OPENPHONE),
    "v3": PayloadGeneration(APP_EVENTS, app.render_v3, Scheme.OPENPHONE),
    "v4": PayloadGeneration(V4_EVENTS, v4.render, Scheme.OPENPHONE),
    "2026-03-30": PayloadGeneration(VERSIONED_EVENTS, versioned.render, Scheme.STANDARD),
}
