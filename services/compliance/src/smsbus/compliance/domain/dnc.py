"""Do-not-call files as a stream of records: pure, one line at a time, any file size.

Formats:
- `ftc_full`: the FTC registry's full list, flat text per area code: one number per line as
  `AAA,NNNNNNN` (area code, number) or ten digits.
- `ftc_change`: the FTC's change list: comma-separated records holding the number (as above)
  and an add/delete flag (`A`/`D`, `add`/`delete`); other fields (dates) are ignored, as the
  column order is not documented.
- `plain`: one number per line, in any common format.

Blank lines, `#` comments and a header line (a first line without digits) are skipped.
Bytes arrive in chunks; `LineSplitter` turns them into lines without holding the file.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

from smsbus.compliance.domain.phones import InvalidPhone, to_e164

DncFormat = Literal["ftc_full", "ftc_change", "plain"]
DncAction = Literal["add", "delete"]

_FIELD_SPLIT = re.compile(r"[,\t|;]")
_TEN_DIGITS = re.compile(r"^1?([2-9]\d{2}[2-9]\d{6})$")
_ADD = frozenset({"a", "add", "added", "+", "i", "insert"})
_DELETE = frozenset({"d", "del", "delete", "deleted", "-", "r", "remove", "removed"})
_MAX_LINE = 200


class DncFileError(ValueError):
    """The file as a whole cannot be read (not text, not a DNC file)."""


@dataclass(frozen=True, slots=True)
class DncRecord:
    phone: str
    action: DncAction
    area_code: str | None
    """NANP area code (FTC files are organised by it); None for other numbers."""


@dataclass(frozen=True, slots=True)
class DncLineError:
    line_no: int
    reason: str


class LineSplitter:
    """Bytes in, complete text lines out; strict UTF-8 (with or without a BOM)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._rest = ""

    def feed(self, chunk: bytes) -> list[str]:
        try:
            text = self._rest + self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise DncFileError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if "\x00" in text:
            raise DncFileError("not a text file (it contains NUL bytes)")
        lines = text.split("\n")
        self._rest = lines.pop()
        if len(self._rest) > 10_000:
            raise DncFileError("not a DNC file (a line is longer than 10,000 characters)")
        return [line.rstrip("\r") for line in lines]

    def finish(self) -> list[str]:
        try:
            text = self._rest + self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise DncFileError(f"not UTF-8 text ({exc.reason} at the end)") from None
        self._rest = ""
        return [text.rstrip("\r")] if text.strip() else []


class DncParser:
    """Parses the lines of one file in order; `line_no` counts every line seen."""

    def __init__(self, fmt: DncFormat, *, default_region: str = "US") -> None:
        self.fmt = fmt
        self.default_region = default_region
        self.line_no = 0
        self._seen_content = False

    def parse(self, line: str) -> DncRecord | DncLineError | None:
        """A record, an error for this line, or None for a line that holds no number."""
        self.line_no += 1
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        first, self._seen_content = not self._seen_content, True
        if first and not any(ch.isdigit() for ch in text):
            return None  # a header
        if len(text) > _MAX_LINE:
            return DncLineError(self.line_no, "line too long")
        if self.fmt == "plain":
            return self._plain(text)
        return self._ftc(text)

    def _plain(self, text: str) -> DncRecord | DncLineError:
        try:
            phone = to_e164(text.strip("\"'"), default_region=self.default_region)
        except InvalidPhone as exc:
            return DncLineError(self.line_no, str(exc))
        return DncRecord(phone, "add", phone[2:5] if phone.startswith("+1") else None)

    def _ftc(self, text: str) -> DncRecord | DncLineError:
        fields = [field.strip().strip("\"'").strip() for field in _FIELD_SPLIT.split(text)]
        digits = _ftc_number(fields)
        if digits is None:
            return DncLineError(self.line_no, "no ten-digit NANP number (area code, number)")
        flags = {field.lower() for field in fields} & (_ADD | _DELETE)
        if self.fmt == "ftc_full":
            action: DncAction = "add"
        elif len(flags) != 1:
            return DncLineError(self.line_no, "a change record needs one add/delete flag (A or D)")
        else:
            action = "add" if flags <= _ADD else "delete"
        return DncRecord(f"+1{digits}", action, digits[:3])


def _ftc_number(fields: list[str]) -> str | None:
    for i, field in enumerate(fields):
        compact = field.replace("-", "").replace(" ", "")
        if len(compact) == 3 and compact.isdigit() and i + 1 < len(fields):
            joined = compact + fields[i + 1].replace("-", "").replace(" ", "")
            if match := _TEN_DIGITS.fullmatch(joined):
                return match.group(1)
        if match := _TEN_DIGITS.fullmatch(compact):
            return match.group(1)
    return None
