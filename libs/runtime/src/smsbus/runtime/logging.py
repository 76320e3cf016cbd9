"""JSON-lines logs with phone numbers masked, installed once so no call site can forget it.

`configure_logging(service=..., level=...)` puts one handler on the root logger with the
`PhoneMaskingFilter` and the `JsonFormatter`; both mask, so a record is masked whichever
handler it meets. `log_context(event_id=..., correlation_id=...)` tags every record logged
inside it (the subscriber does this for each event it handles).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final

# "+" may arrive percent-encoded in URLs that libraries log (httpx logs every request line).
_E164: Final = re.compile(r"(?:\+|%2B)[1-9]\d{6,14}(?!\d)", re.IGNORECASE)
_PLAIN: Final = re.compile(r"(?<![\d+])\d{10,11}(?!\d)")
# API tokens (runtime/auth.py): a bearer credential, and `name:token:scopes` entries of
# SMSBUS_API_TOKENS wherever the setting's value ends up (a settings repr, an error).
_BEARER: Final = re.compile(r"(\bBearer\s+)[^\s,'\"]+", re.IGNORECASE)
_TOKEN_ENTRY: Final = re.compile(
    r"(\b[\w.-]+:)[^\s:,'\"]{16,}(:(?:read|consent|campaigns|operations|all)(?:\+\w+)*)"
)

_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# LogRecord attributes that are not "extra" fields.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = text.removeprefix("+").removeprefix("%2B").removeprefix("%2b")
    return text[: len(text) - len(digits)] + "*" * (len(digits) - 4) + digits[-4:]


def mask_phones(text: str) -> str:
    """Masks E.164 numbers and plain 10-11 digit runs, keeping the last 4 digits, and hides
    API tokens (bearer credentials, SMSBUS_API_TOKENS entries) whole."""
    text = _TOKEN_ENTRY.sub(r"\1***\2", _BEARER.sub(r"\1***", text))
    return _PLAIN.sub(_mask_match, _E164.sub(_mask_match, text))


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_phones(str(value))


@contextmanager
def log_context(*, event_id: str | None, correlation_id: str | None) -> Iterator[None]:
    """Tags every record logged inside the block with the event and correlation ids."""
    event_token = _event_id.set(event_id)
    correlation_token = _correlation_id.set(correlation_id)
    try:
        yield
    finally:
        _event_id.reset(event_token)
        _correlation_id.reset(correlation_token)


class PhoneMaskingFilter(logging.Filter):
    """Renders the message with its arguments and masks phone numbers in it and in the trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_phones(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, extras, exception (masked)."""

    def __init__(self, *, service: str | None = None) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_phones(record.getMessage()),
        }
        if self._service:
            line["service"] = self._service
        event_id = getattr(record, "event_id", None) or _event_id.get()
        correlation_id = getattr(record, "correlation_id", None) or _correlation_id.get()
        if event_id:
            line["event_id"] = event_id
        if correlation_id:
            line["correlation_id"] = correlation_id
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line:
                line[name] = _mask_value(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = mask_phones(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


QUIETED: Final = ("aiokafka", "httpx", "httpcore")
"""Loggers written from WARNING only: httpx logs every request URL at INFO (noise, and a URL may
carry an API key or a number); aiokafka's INFO is noise."""


def configure_logging(*, service: str, level: str | int = "INFO") -> None:
    """Replaces the root handlers with one masked JSON-lines handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(PhoneMaskingFilter())
    handler.setFormatter(JsonFormatter(service=service))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in QUIETED:
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
