"""Progress of a long operator command, on stderr (stdout stays JSON lines for `jq`).

On a terminal, a bar (rich) with records read of the total, records written, the write rate and
the time left; otherwise (a pipe, a CI log) a plain line every few seconds and one at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def eta(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the pace so far; None before there is a pace."""
    if done <= 0 or elapsed <= 0:
        return None
    return max(total - done, 0) * elapsed / done


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def plain_line(
    label: str,
    *,
    read: int,
    total: int | None,
    written: int,
    verb: str,
    elapsed: float,
    before: tuple[int, int] = (0, 0),
) -> str:
    """`before`: (read, written) before this run (a resumed copy), left out of the pace."""
    rate = (written - before[1]) / elapsed if elapsed > 0 else 0.0
    of = f"/{total} ({100 * read / total:.0f} %)" if total else ""
    pace = eta(read - before[0], total - before[0], elapsed) if total else None
    left = f", eta {clock(pace)}" if total else ""
    return f"{label}: {read}{of} read, {written} {verb}, {rate:.0f}/s{left}"


class _WriteRate(ProgressColumn):
    """Records written and their rate (the rate `--rate` limits), not records read."""

    def render(self, task: Task) -> Text:
        written = int(task.fields.get("written", 0))
        elapsed = task.elapsed or 0.0
        rate = (written - int(task.fields.get("base", 0))) / elapsed if elapsed > 0 else 0.0
        return Text(f"{written} {task.fields.get('verb', 'written')} · {rate:,.0f}/s")


@dataclass
class Reporter:
    label: str
    total: int | None
    verb: str
    interval: float
    stream: IO[str]
    bar: Progress | None
    read: int = 0
    written: int = 0
    before: tuple[int, int] = (0, 0)
    """(read, written) before this run (a resumed copy): not part of the pace."""
    started: float = field(default_factory=time.monotonic)
    _last: float = field(default_factory=time.monotonic)

    def advance(self, *, read: int = 1, written: int = 0) -> None:
        self.read += read
        self.written += written
        if self.bar is not None:
            self.bar.update(self.bar.task_ids[0], completed=self.read, written=self.written)
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._print()

    def resize(self, total: int) -> None:
        """The total, once known (a DLQ's pending records are counted after the start)."""
        self.total = total
        if self.bar is not None:
            self.bar.update(self.bar.task_ids[0], total=total)

    def resume(self, *, read: int, written: int) -> None:
        """Where a resumed operation already stands: its rate and time left count only what
        moves from now on."""
        self.before = (read, written)
        if self.bar is not None:
            task = self.bar.task_ids[0]
            self.bar.reset(
                task,
                total=self.total,
                completed=read,
                written=written,
                base=written,
                verb=self.verb,
            )
        self.set(read=read, written=written)

    def set(self, *, read: int, written: int) -> None:
        """Where the operation stands now (a job polled through an API)."""
        self.advance(read=read - self.read, written=written - self.written)

    def _print(self) -> None:
        elapsed = time.monotonic() - self.started
        line = plain_line(
            self.label,
            read=self.read,
            total=self.total,
            written=self.written,
            verb=self.verb,
            elapsed=elapsed,
            before=self.before,
        )
        print(line, file=self.stream, flush=True)

    def finish(self) -> None:
        if self.bar is None:
            self._print()


@contextmanager
def progress(
    label: str,
    total: int | None,
    *,
    verb: str = "written",
    stream: IO[str] | None = None,
    interval: float = 2.0,
    terminal: bool | None = None,
) -> Iterator[Reporter]:
    out = stream or sys.stderr
    console = Console(file=out, force_terminal=terminal)
    if not console.is_terminal:
        reporter = Reporter(label, total, verb, interval, out, None)
        try:
            yield reporter
        finally:
            reporter.finish()
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _WriteRate(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        # JSON lines on stdout: through the bar when both are this terminal, else to the pipe.
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    )
    with bar:
        bar.add_task(label, total=total, written=0, verb=verb, base=0)
        yield Reporter(label, total, verb, interval, out, bar)
