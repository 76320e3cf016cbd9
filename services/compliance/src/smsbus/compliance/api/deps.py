"""What the routes need, installed on the app by the composition root (`ComplianceDep`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.domain.phones import InvalidPhone, to_e164
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.compliance.lookup import LineTypeLookup
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import Settings
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

    def e164(self, raw: str) -> str:
        """The number in E.164, or a 422 that says why it is not one."""
        try:
            return to_e164(raw, default_region=self.settings.default_region)
        except InvalidPhone as exc:
            raise HTTPException(status_code=422, detail=f"{raw!r}: {exc}") from None

    @staticmethod
    def unprocessable(field: str, message: str) -> None:
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}],
        )


def install(app: FastAPI, compliance: Compliance) -> None:
    app.state.compliance = compliance


def _compliance(request: Request) -> Compliance:
    compliance: Compliance = request.app.state.compliance
    return compliance


ComplianceDep = Annotated[Compliance, Depends(_compliance)]
