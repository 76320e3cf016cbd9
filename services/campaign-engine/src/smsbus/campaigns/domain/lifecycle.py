"""The campaign state machine: draft → scheduled → running ⇄ paused → completed | cancelled."""

from __future__ import annotations

from typing import Literal

CampaignStatus = Literal["draft", "scheduled", "running", "paused", "completed", "cancelled"]
Action = Literal["schedule", "start", "pause", "resume", "complete", "cancel"]

TRANSITIONS: dict[tuple[str, str], CampaignStatus] = {
    ("draft", "schedule"): "scheduled",
    ("draft", "start"): "running",
    ("scheduled", "start"): "running",
    ("running", "pause"): "paused",
    ("paused", "resume"): "running",
    ("running", "complete"): "completed",
    ("paused", "complete"): "completed",
    ("draft", "cancel"): "cancelled",
    ("scheduled", "cancel"): "cancelled",
    ("running", "cancel"): "cancelled",
    ("paused", "cancel"): "cancelled",
}


class InvalidTransition(ValueError):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"cannot {action} a campaign that is {status}")
        self.status = status
        self.action = action


def transition(status: str, action: str) -> CampaignStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(status, action) from None


def accepts_members(status: str) -> bool:
    return status in ("draft", "scheduled", "running", "paused")
