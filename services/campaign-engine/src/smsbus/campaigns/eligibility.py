"""compliance's POST /v1/eligibility, asked in batches and cached briefly per (number, purpose)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

BATCH = 1000
# compliance's reason → ours, where the same fact has another name here: an opt-out is
# "opted_out" whether compliance reported it or our copy of its consent events did first.
REASONS = {"suppressed": "opted_out"}


class EligibilityClient:
    def __init__(
        self,
        *,
        base_url: str,
        ttl: float,
        token: str | None = None,
        http: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = base_url.rstrip("/") + "/v1/eligibility"
        self._ttl = ttl
        self._http = http or httpx.AsyncClient(timeout=30, trust_env=False)
        self._owns = http is None
        self._monotonic = monotonic
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._cache: dict[tuple[str, str], tuple[float, list[str]]] = {}

    async def reasons(self, phones: Sequence[str], purpose: str) -> dict[str, list[str]]:
        """Every reason not to text each number for `purpose` (empty list: may send).

        Raises when compliance does not answer: nobody is sent without a fresh answer."""
        now = self._monotonic()
        found: dict[str, list[str]] = {}
        missing = []
        for phone in dict.fromkeys(phones):
            cached = self._cache.get((phone, purpose))
            if cached is not None and cached[0] > now:
                found[phone] = cached[1]
            else:
                missing.append(phone)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            response = await self._http.post(
                self._url, json={"phones": chunk, "purpose": purpose}, headers=self._headers
            )
            response.raise_for_status()
            for result in response.json()["results"]:
                reasons = [REASONS.get(r, r) for r in result["reasons"]]
                found[result["input"]] = reasons
                self._cache[(result["input"], purpose)] = (now + self._ttl, reasons)
        if len(self._cache) > 200_000:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        return found

    def forget(self, phone: str) -> None:
        for purpose in ("marketing", "transactional"):
            self._cache.pop((phone, purpose), None)

    async def aclose(self) -> None:
        if self._owns:
            await self._http.aclose()
