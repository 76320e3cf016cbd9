"""A contacts import's consent columns handed to compliance, the only writer of consent: the
rows go as a consent import (`POST /v1/consent/imports`, with this service's token, which needs
the `consent` scope), which is then followed to its end (`GET /v1/consent/imports/{id}`).

compliance unreachable or answering 5xx is waited out (with backoff, up to `patience`); a 4xx
(the token's scope, a bad file) is an answer: the hand-off fails with it. A POST whose answer
was lost may have started an import already; the one sent again starts another, which changes
nothing more (a grant appended twice is one consent; an opted-out number is kept by both).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

FINISHED = ("succeeded", "failed")
KEPT = ("id", "status", "percent", "granted", "revoked", "no_consent", "kept_opted_out",
        "refused", "refused_by_reason", "summary", "error")  # fmt: skip
"""What the contacts import keeps of compliance's consent import."""


class HandoffFailed(RuntimeError):
    """compliance refused the consent rows, or did not answer in time."""


class ConsentHandoff:
    def __init__(
        self,
        *,
        base_url: str,
        token: str | None,
        poll_interval: float = 1.0,
        patience: float = 600.0,
        http: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = base_url.rstrip("/") + "/v1/consent/imports"
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._poll = poll_interval
        self._patience = patience
        self._http = http or httpx.AsyncClient(timeout=60, trust_env=False)
        self._owns = http is None
        self._monotonic = monotonic

    async def hand_over(
        self,
        path: Path,
        *,
        filename: str,
        on_progress: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> dict[str, Any]:
        """Submits the consent file and follows its import to its end; `on_progress` gets
        compliance's view of it (KEPT) each time it is asked. Returns the final one."""
        deadline = self._monotonic() + self._patience
        content = await asyncio.to_thread(path.read_bytes)
        files = {"file": (filename, content, "text/csv")}
        job = await self._ask(deadline, "POST", self._url, files=files)
        location = f"{self._url}/{job['id']}"
        while True:
            await on_progress(job)
            if job["status"] in FINISHED:
                return job
            await asyncio.sleep(self._poll)
            job = await self._ask(deadline, "GET", location)

    async def _ask(self, deadline: float, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._http.request(method, url, headers=self._headers, **kwargs)
                problem = f"{answer.status_code} {answer.text[:300]}"
            except httpx.TransportError as exc:
                answer, problem = None, f"unreachable ({type(exc).__name__})"
            if answer is not None and answer.status_code < 300:
                return {key: value for key, value in answer.json().items() if key in KEPT}
            if answer is not None and answer.status_code < 500:
                raise HandoffFailed(f"compliance refused the consent rows: {problem}")
            if self._monotonic() >= deadline:
                raise HandoffFailed(f"compliance did not take the consent rows: {problem}")
            await asyncio.sleep(min(self._poll * 2**attempt, 30.0))

    async def aclose(self) -> None:
        if self._owns:
            await self._http.aclose()
