"""OpenPhone's list endpoints: follow `nextPageToken` until it is null."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel

from smsbus.contracts.rest import ListResponse
from smsbus.openphone.errors import UnexpectedResponse

ItemT = TypeVar("ItemT", bound=BaseModel)

MAX_PAGE_SIZE = 100
"""OpenPhone's `maxResults` upper bound."""


def check_page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    return page_size


async def follow_pages(
    fetch: Callable[[str | None], Awaitable[ListResponse[ItemT]]],
) -> AsyncIterator[ItemT]:
    """Every item of every page, in order; `fetch(token)` gets one page (None: the first).

    A token seen twice would loop forever: it raises UnexpectedResponse instead.
    """
    seen: set[str] = set()
    token: str | None = None
    while True:
        page = await fetch(token)
        for item in page.data:
            yield item
        token = page.next_page_token
        if not token:
            return
        if token in seen:
            raise UnexpectedResponse(f"OpenPhone returned page token {token!r} twice")
        seen.add(token)
