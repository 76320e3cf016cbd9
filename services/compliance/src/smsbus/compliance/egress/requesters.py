"""Is the requester's work still on? Asked at the moment a campaign text leaves.

A campaign paused or cancelled since the request was made refuses its texts
(`campaign_inactive`); the campaign-engine answers from its own table, so a pause is seen the
instant it commits, not when an event about it arrives.
"""

from __future__ import annotations

import httpx


class RequesterUnavailable(Exception):
    """The requester did not answer: nothing is sent until it does."""


class CampaignStates:
    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            trust_env=False,
            headers={"Authorization": f"Bearer {token}"} if token else None,
        )

    async def running(self, campaign_id: str) -> bool:
        try:
            response = await self._http.get(f"/v1/campaigns/{campaign_id}")
        except httpx.HTTPError as exc:
            raise RequesterUnavailable(
                f"campaign-engine unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise RequesterUnavailable(f"campaign-engine answered {response.status_code}")
        return bool(response.json().get("status") == "running")

    async def aclose(self) -> None:
        await self._http.aclose()
