"""Newest-first pages with a cursor token, stable while new items arrive.

The token names the last item served (its time and insertion number); the next page starts
strictly after it, so inserts of newer items never shift or repeat what a reader walks through.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")

Position = tuple[datetime, int]


class BadPageTokenError(ValueError):
    pass


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total_items: int
    next_page_token: str | None


def encode_token(position: Position) -> str:
    moment, sequence = position
    raw = json.dumps([moment.isoformat(), sequence]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        moment, sequence = json.loads(raw)
        return datetime.fromisoformat(moment), int(sequence)
    except (ValueError, TypeError) as exc:
        raise BadPageTokenError(f"not a page token: {token!r}") from exc


def newest_first(
    items: Sequence[T],
    *,
    position: Callable[[T], Position],
    max_results: int,
    page_token: str | None,
) -> Page[T]:
    ordered = sorted(items, key=position, reverse=True)
    if page_token:
        after = decode_token(page_token)
        remaining = [item for item in ordered if position(item) < after]
    else:
        remaining = ordered
    served = remaining[:max_results]
    more = len(remaining) > max_results
    token = encode_token(position(served[-1])) if more and served else None
    return Page(items=served, total_items=len(ordered), next_page_token=token)
