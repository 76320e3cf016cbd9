"""Following nextPageToken: every item once, in order, and no endless loop."""

from collections.abc import Sequence

import pytest

from smsbus.contracts.rest import ListResponse, PhoneNumber
from smsbus.openphone.errors import UnexpectedResponse
from smsbus.openphone.pagination import check_page_size, follow_pages


def pages_of(
    tokens: Sequence[str | None], per_page: int = 2
) -> dict[str | None, ListResponse[PhoneNumber]]:
    """Page `i` is served for the token before it and points to `tokens[i]`."""
    served: dict[str | None, ListResponse[PhoneNumber]] = {}
    previous: str | None = None
    for index, token in enumerate(tokens):
        items = [
            PhoneNumber(id=f"PN{index}-{n}", number=f"+1555555{index:02d}{n:02d}")
            for n in range(per_page)
        ]
        served[previous] = ListResponse[PhoneNumber](data=items, next_page_token=token)
        previous = token
    return served


async def collect(
    served: dict[str | None, ListResponse[PhoneNumber]],
) -> tuple[list[str], list[str | None]]:
    asked: list[str | None] = []

    async def fetch(token: str | None) -> ListResponse[PhoneNumber]:
        asked.append(token)
        return served[token]

    ids = [item.id async for item in follow_pages(fetch)]
    return ids, asked


async def test_follows_tokens_until_null() -> None:
    ids, asked = await collect(pages_of(["t1", "t2", None]))
    assert asked == [None, "t1", "t2"]
    assert ids == ["PN0-0", "PN0-1", "PN1-0", "PN1-1", "PN2-0", "PN2-1"]


async def test_an_empty_token_ends_too() -> None:
    ids, asked = await collect(pages_of([""]))
    assert (len(ids), asked) == (2, [None])


async def test_a_repeated_token_raises_instead_of_looping() -> None:
    served = pages_of(["t1", "t2"])
    served["t2"] = ListResponse[PhoneNumber](data=[], next_page_token="t1")
    with pytest.raises(UnexpectedResponse, match="twice"):
        await collect(served)


@pytest.mark.parametrize("size", [0, 101, -1])
def test_page_size_is_openphones_range(size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        check_page_size(size)
