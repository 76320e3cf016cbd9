"""What the routes need, installed on the app by the composition root (`ComplianceDep`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.domain.phones import InvalidPhone, to_e164
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.compliance.lookup import LineTypeLookup
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import Settings
from smsbus.runtime.app_state import AppState
from smsbus.runtime.db import Sessions


@dataclass(frozen=True)
class Compliance:
    settings: Settings
    engine: AsyncEngine
    sessions: Sessions
    texts: ReplyTexts
    lookup: LineTypeLookup
    clock: Callable[[], datetime]
    metrics: ComplianceMetrics | None = None

    def e164(self, raw: str, *, where: str = "path", field: str = "phone") -> str:
        """The number in E.164, or a 422 that says why it is not one (`where`: path, query
        or body, as FastAPI's own 422 says)."""
        try:
            return to_e164(raw, default_region=self.settings.default_region)
        except InvalidPhone as exc:
            raise invalid(where, field, f"{raw!r}: {exc}") from None

    @staticmethod
    def unprocessable(field: str, message: str) -> None:
        raise invalid("query", field, message)


def invalid(where: str, field: str, message: str) -> HTTPException:
    """A 422 in FastAPI's own shape (what the OpenAPI documents for every 422)."""
    return HTTPException(
        status_code=422, detail=[{"loc": [where, field], "msg": message, "type": "value_error"}]
    )


COMPLIANCE = AppState[Compliance]("compliance")
ComplianceDep = Annotated[Compliance, Depends(COMPLIANCE.get)]
