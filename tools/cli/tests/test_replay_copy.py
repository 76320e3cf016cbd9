"""`smsbus replay --to-topic` against the real broker (issue 14, must-show 2).

The command as an operator runs it — a process, a window of records filtered by type and phone,
copied at 1,000/s with progress, interrupted by SIGINT and run again — leaves every selected
record on the target exactly once with its headers, and `--dry-run` counted exactly that. A crash
that loses checkpoint saves does not copy anything twice either. The window is 4,000 records
here; `SMSBUS_REPLAY_TEST_WINDOW=10000` runs the issue's full size.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import TopicPartition

from smsbus.cli.main import build_parser
from smsbus.cli.replay.checkpoint import Checkpoint, checkpoint_path, load, save
from smsbus.cli.replay.command import Request
from smsbus.cli.replay.copier import Copy, count, resolve_window
from smsbus.cli.replay.pacing import Pacer
from smsbus.cli.replay.progress import Reporter
from smsbus.cli.replay.selection import Selection
from smsbus.ingest.testing import read_topics
from smsbus.runtime.testing import NewTopic

from .replay_rig import (
    PICKED_PHONES,
    PICKED_TYPES,
    T0,
    check_copies,
    cli_args,
    expected_count,
    fill,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
WINDOW = int(os.environ.get("SMSBUS_REPLAY_TEST_WINDOW", "4000"))


def smsbus(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smsbus.cli", *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=600)
    return process.returncode, out, err


async def test_a_window_is_copied_exactly_once_across_an_interrupt_and_dry_run_counted_it(
    kafka_bootstrap: str, new_topic: NewTopic, tmp_path: Path
) -> None:
    source = await fill(kafka_bootstrap, await new_topic("replay-src", partitions=3), WINDOW)
    target = await new_topic("replay-dst", partitions=3)
    env = os.environ | {
        "SMSBUS_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "SMSBUS_STATE_DIR": str(tmp_path),
    }
    args = cli_args(source, target)
    request = Request.of(build_parser().parse_args(args))
    path = checkpoint_path(tmp_path, Checkpoint.new(request.plan(), {}).replay_id)

    code, out, err = finished(smsbus([*args, "--dry-run"], env))
    assert code == 0, err
    dry = json.loads(out)
    assert dry["would_copy"] == expected_count(WINDOW)
    assert dry["window"] == WINDOW
    assert "dry run:" in err  # progress lines (stderr is not a terminal)

    started = time.monotonic()
    first = smsbus(args, env)
    while (saved := load(path)) is None or saved.copied == 0:  # copying has begun
        assert first.poll() is None, first.communicate()
        await asyncio.sleep(0.05)
    first.send_signal(signal.SIGINT)
    code, out, err = finished(first)
    assert code == 130, err
    assert "interrupted; what was copied is in the checkpoint" in err
    assert "run the same command again" in err
    assert f"replay → {target}:" in err  # its last progress line
    interrupted = load(path)
    assert interrupted is not None
    assert 0 < interrupted.copied < dry["would_copy"]

    code, out, err = finished(smsbus(args, env))
    elapsed = time.monotonic() - started
    assert code == 0, err
    assert "resuming" in err
    summary = json.loads(out)
    assert summary["copied"] == dry["would_copy"]
    assert (summary["by_type"], summary["by_partition"]) == (dry["by_type"], dry["by_partition"])

    found = await read_topics(kafka_bootstrap, [source.topic, target])
    counts = check_copies(found[source.topic], found[target], source, summary["replay"])
    assert dict(counts["by_type"]) == dry["by_type"]
    assert dict(counts["by_partition"]) == dry["by_partition"]
    print(
        f"\nreplay: window {WINDOW}, copied {summary['copied']} at --rate 1000/s, interrupted after "
        f"{interrupted.copied}; {elapsed:.1f} s from start to done (2 process starts included)"
    )

    code, out, err = finished(smsbus(args, env))  # once done, the same command copies nothing
    assert code == 0
    assert "finished before" in err
    assert len((await read_topics(kafka_bootstrap, [target]))[target]) == summary["copied"]


class StopAfter(Reporter):
    """Cancels the copy once `limit` records were selected, as Ctrl-C does (once)."""

    def __init__(self, limit: int) -> None:
        super().__init__("test", None, "copied", 1e9, sys.stderr, None)
        self.limit = limit

    def advance(self, *, read: int = 1, written: int = 0) -> None:
        super().advance(read=read, written=written)
        task = asyncio.current_task()
        if self.written >= self.limit and task is not None and not task.cancelling():
            task.cancel()


async def test_copies_a_crash_kept_from_the_checkpoint_are_not_written_twice(
    kafka_bootstrap: str, new_topic: NewTopic, tmp_path: Path
) -> None:
    source = await fill(kafka_bootstrap, await new_topic("replay-src", partitions=3), 2000)
    target = await new_topic("replay-dst", partitions=2)
    selection = Selection.of(types=PICKED_TYPES, phones=PICKED_PHONES)
    plan = {"topics": [source.topic], "to_topic": target, "test": "crash"}
    window = await resolve_window(kafka_bootstrap, [source.topic], source.since, source.until)
    checkpoint = Checkpoint.new(plan, {(tp.topic, tp.partition): s for tp, s in window.items()})
    checkpoint.target_ends = {0: 0, 1: 0}
    path = tmp_path / "replay.json"
    save(path, checkpoint)

    async def copy_until(limit: int | None) -> Checkpoint:
        job = Copy(
            kafka_bootstrap,
            load(path) or checkpoint,
            path,
            selection,
            target,
            Pacer(None),
            lambda: T0,
        )
        report = StopAfter(limit) if limit else StopAfter(10**9)
        task = asyncio.create_task(job.run(report))
        try:
            return await task
        except asyncio.CancelledError:
            assert task.cancelled()
            return load(path) or checkpoint

    early = await copy_until(40)
    assert 40 <= early.copied < expected_count(2000)
    later = await copy_until(90)
    assert later.copied > early.copied
    save(path, early)  # a crash: the saves after the early one never happened

    done = await copy_until(None)

    found = await read_topics(kafka_bootstrap, [source.topic, target])
    counts = check_copies(found[source.topic], found[target], source, checkpoint.replay_id)
    assert done.finished
    assert done.copied == sum(counts["by_type"].values()) == expected_count(2000)
    assert done.by_type == counts["by_type"]

    recount = Checkpoint.new(plan, {(tp.topic, tp.partition): s for tp, s in window.items()})
    await count(kafka_bootstrap, recount, selection, StopAfter(10**9))
    assert (recount.by_type, recount.by_partition) == (done.by_type, done.by_partition)
    assert Counter(recount.by_partition) == counts["by_partition"]
    assert all(TopicPartition(source.topic, p) in window for p in range(3))
