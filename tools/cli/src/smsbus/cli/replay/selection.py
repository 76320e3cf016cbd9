"""Which records an operator picked: `--type`, `--phone`, `--dedupe-key`, `--source`.

Pure: a record is seen as its key, its `event-type` header and its value decoded as JSON (when it
is JSON). Each filter given must match (AND); within one filter any value may (OR). Event types
take shell patterns (`message.*`). A phone matches the record's key or a number the event names
(`from`, `to`, `participants`, `phone` of its data), compared as E.164.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

PHONE_FIELDS = ("from", "to", "participants", "phone")


@dataclass(frozen=True, slots=True)
class RecordView:
    key: str
    event_type: str
    envelope: Mapping[str, Any]
    """The decoded value; empty when it is not a JSON object."""


def view(
    key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> RecordView:
    envelope: Any = {}
    if value:
        try:
            envelope = json.loads(value)
        except ValueError:  # not JSON: filters on its content match nothing
            envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    header_type = next((v.decode(errors="replace") for k, v in headers if k == "event-type"), "")
    event_type = header_type or str(envelope.get("type", ""))
    return RecordView((key or b"").decode(errors="replace"), event_type, envelope)


def e164(text: str) -> str:
    """`+1 (415) 555-0123`, `14155550123` → `+14155550123`; anything else as it was."""
    digits = re.sub(r"[\s().-]", "", text.strip())
    if re.fullmatch(r"\+?\d{6,15}", digits):
        return digits if digits.startswith("+") else f"+{digits}"
    return text.strip()


def phones_in(record: RecordView) -> set[str]:
    found = {e164(record.key)} if record.key else set()
    data = record.envelope.get("data")
    if isinstance(data, dict):
        for name in PHONE_FIELDS:
            value = data.get(name)
            values = value if isinstance(value, list) else [value]
            found.update(e164(v) for v in values if isinstance(v, str) and v)
    return found


@dataclass(frozen=True, slots=True)
class Selection:
    types: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    dedupe_keys: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        types: Iterable[str] = (),
        phones: Iterable[str] = (),
        dedupe_keys: Iterable[str] = (),
        sources: Iterable[str] = (),
    ) -> Selection:
        """Sorted and deduplicated, so the same filters always describe the same replay."""
        return cls(
            types=tuple(sorted(set(types))),
            phones=tuple(sorted({e164(p) for p in phones})),
            dedupe_keys=tuple(sorted(set(dedupe_keys))),
            sources=tuple(sorted(set(sources))),
        )

    @property
    def everything(self) -> bool:
        return not (self.types or self.phones or self.dedupe_keys or self.sources)

    def matches(self, record: RecordView) -> bool:
        if self.types and not any(fnmatchcase(record.event_type, p) for p in self.types):
            return False
        if self.sources and record.envelope.get("source") not in self.sources:
            return False
        if self.dedupe_keys and record.envelope.get("dedupe_key") not in self.dedupe_keys:
            return False
        return not self.phones or not phones_in(record).isdisjoint(self.phones)

    def unknown_types(self, known: Iterable[str]) -> list[str]:
        """The type patterns that match no known event type (a typo, most likely)."""
        names = list(known)
        return [p for p in self.types if not any(fnmatchcase(n, p) for n in names)]

    def describe(self) -> dict[str, list[str]]:
        return {
            "type": list(self.types),
            "phone": list(self.phones),
            "dedupe_key": list(self.dedupe_keys),
            "source": list(self.sources),
        }
