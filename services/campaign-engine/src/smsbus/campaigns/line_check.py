"""A contacts import's numbers checked at compliance (`POST /v1/phones/validation`, 100 at a
time, paid lookups within its monthly quota), so that the line types it learns (a landline, a
pager) are refused by its eligibility and its egress before any campaign texts them: bounces
avoided instead of counted. The outcome is kept with the import; compliance unreachable, or
refusing, leaves the outcome's `error` and the import succeeds: its contacts are in, and a
number not looked up is judged at the egress as ever."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx

BATCH = 100
"""compliance's most numbers per request."""
ATTEMPTS = 3


class LineCheck:
    def __init__(
        self,
        *,
        base_url: str,
        token: str | None,
        http: httpx.AsyncClient | None = None,
        retry_delay: float = 2.0,
    ) -> None:
        self._url = base_url.rstrip("/") + "/v1/phones/validation"
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = http or httpx.AsyncClient(timeout=120, trust_env=False)
        self._owns = http is None
        self._retry_delay = retry_delay

    async def check(self, phones: Sequence[str]) -> dict[str, Any]:
        """The numbers' line types summed: checked, invalid, valid_mobile, by_line_type, the
        lookup quota as compliance last told it, and `error` if it stopped before the end."""
        totals = dict.fromkeys(("checked", "invalid", "valid_mobile"), 0)
        by_line_type: Counter[str] = Counter()
        lookups: dict[str, Any] | None = None
        error = None
        for start in range(0, len(phones), BATCH):
            try:
                answer = await self._ask(list(phones[start : start + BATCH]))
            except LineCheckFailed as exc:
                error = str(exc)
                break
            summary = answer["summary"]
            totals["checked"] += summary["total"]
            totals["invalid"] += summary["invalid"]
            totals["valid_mobile"] += summary["valid_mobile"]
            by_line_type.update(summary["by_line_type"])
            lookups = answer["lookups"]
        return dict(totals) | {
            "by_line_type": dict(sorted(by_line_type.items())), "lookups": lookups, "error": error,
        }  # fmt: skip

    async def _ask(self, phones: list[str]) -> dict[str, Any]:
        problem = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
            try:
                answer = await self._http.post(
                    self._url, json={"phones": phones, "lookup": True}, headers=self._headers
                )
            except httpx.TransportError as exc:
                problem = f"compliance unreachable ({type(exc).__name__})"
                continue
            if answer.status_code < 300:
                found: dict[str, Any] = answer.json()
                return found
            problem = f"compliance answered {answer.status_code} {answer.text[:300]}"
            if answer.status_code < 500:
                break
        raise LineCheckFailed(problem)

    async def aclose(self) -> None:
        if self._owns:
            await self._http.aclose()


class LineCheckFailed(RuntimeError):
    """compliance refused the numbers, or did not answer after ATTEMPTS tries."""
