"""Committed files generated from the code (README's topic table, the KafkaTopics, `.env.example`):
rewritten when they drifted, or, for a check, only reported."""

from __future__ import annotations

from pathlib import Path


def refresh(path: Path, wanted: str, *, check_only: bool) -> bool:
    """Whether `path` differs from `wanted` (or is missing); writes `wanted` unless check_only."""
    current = path.read_text() if path.exists() else None
    if current == wanted:
        return False
    if not check_only:
        path.write_text(wanted)
    return True


def sync(path: Path, wanted: str, *, check_only: bool, stale: str, written: str) -> int:
    """One generated file, as a command: says `stale` or `written` when it had drifted, and returns
    an exit code, 1 only when check_only found it stale."""
    if not refresh(path, wanted, check_only=check_only):
        return 0
    print(stale if check_only else written)
    return 1 if check_only else 0
