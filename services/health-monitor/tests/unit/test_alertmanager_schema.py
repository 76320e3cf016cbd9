"""Alertmanager's webhook body as it arrives: its spellings of "no end yet" and of a real end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from smsbus.health.api.schemas import AlertmanagerAlert

STARTED = "2026-12-07T10:00:00Z"


def an_alert(ends_at: object) -> dict[str, object]:
    return {
        "status": "firing",
        "labels": {},
        "startsAt": STARTED,
        "endsAt": ends_at,
        "fingerprint": "f",
    }


@pytest.mark.parametrize(
    "go_zero_time",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00.000Z",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T05:00:00+05:00",
    ],
)
def test_gos_zero_time_is_an_alert_that_has_not_ended(go_zero_time: str) -> None:
    assert AlertmanagerAlert.model_validate(an_alert(go_zero_time)).endsAt is None


@pytest.mark.parametrize(
    ("ends_at", "expected"),
    [
        ("2026-12-07T10:05:00Z", datetime(2026, 12, 7, 10, 5, tzinfo=UTC)),
        ("0001-01-01T00:00:01Z", datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC)),
        (None, None),
    ],
)
def test_any_other_end_is_kept(ends_at: object, expected: datetime | None) -> None:
    assert AlertmanagerAlert.model_validate(an_alert(ends_at)).endsAt == expected


@pytest.mark.parametrize(
    "ends_at", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "yesterday", 5.5e300]
)
def test_an_end_without_offset_before_year_one_or_unreadable_is_refused(ends_at: object) -> None:
    with pytest.raises(ValidationError):
        AlertmanagerAlert.model_validate(an_alert(ends_at))
