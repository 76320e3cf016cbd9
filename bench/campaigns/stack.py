"""The bench's processes and what it reads of them: a source tree to run them from (the working
tree, or a commit's files extracted with `git archive`), campaign-engine and compliance spawned
from it, their readiness, and CPU from /proc (a process's, the machine's, PostgreSQL's and
Kafka's)."""

from __future__ import annotations

import asyncio
import io
import os
import pstats
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import phonenumbers

REPO = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
AREAS = ["212", "312", "617", "404", "713", "602", "303", "206", "415", "503", "615", "919"]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Tree:
    """Where the spawned services' code comes from. `pythonpath` None: the installed packages
    (the working tree, editable); otherwise every member's src of an extracted commit, ahead of
    them (third-party packages stay the environment's)."""

    label: str
    pythonpath: str | None = None

    @classmethod
    def working(cls) -> Tree:
        return cls("working tree")

    @classmethod
    @contextmanager
    def at(cls, ref: str) -> Iterator[Tree]:
        commit = git("rev-parse", "--short", ref).strip()
        with tempfile.TemporaryDirectory(prefix=f"bench-{commit}-") as root:
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True
            ).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(root, filter="data")
            sources = sorted(str(p) for p in Path(root).glob("*/*/src"))
            yield cls(f"commit {commit}", os.pathsep.join(sources))

    def env(self) -> dict[str, str]:
        return {} if self.pythonpath is None else {"PYTHONPATH": self.pythonpath}


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, check=True, text=True
    ).stdout


def spawn(
    tree: Tree, command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *command],
            env={**os.environ, **env, **tree.env(), "SMSBUS_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def run_in(tree: Tree, command: list[str], env: dict[str, str]) -> None:
    """A bench step (migrations) in the tree's code, to the end."""
    subprocess.run([sys.executable, *command], env={**os.environ, **env, **tree.env()}, check=True)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


async def until(check: Callable[[], Awaitable[bool]], within: float, every: float = 0.3) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {within}s")
        await asyncio.sleep(every)


async def ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async def check() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited; its log: {log}")
        try:
            async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
                return (await http.get(f"{url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await until(check, within=120)


def proc(pid: int) -> tuple[int, int, float]:
    """(VmRSS, VmHWM) in KiB and CPU seconds of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]), cpu(pid)


def cpu(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / TICKS, total / TICKS


def cpu_by_name(names: tuple[str, ...]) -> dict[int, tuple[str, float]]:
    """CPU seconds of every readable process whose name is one of `names` (PostgreSQL's
    backends, Kafka's JVM)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name in names:
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def used_by_name(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU used between two `cpu_by_name` readings, per name (processes alive at both)."""
    used: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        if pid in before:
            used[name] = used.get(name, 0.0) + seconds - before[pid][1]
    return used


def numbers(count: int, *, exchange_from: int = 234) -> list[str]:
    """Valid US numbers over a dozen area codes (several states' quiet hours)."""
    found: list[str] = []
    i = 0
    while len(found) < count:
        area = AREAS[i % len(AREAS)]
        rest = i // len(AREAS)
        candidate = f"+1{area}{exchange_from + rest // 10000 % 600}{rest % 10000:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            found.append(candidate)
        i += 1
    return found


@contextmanager
def before_tree(ref: str | None) -> Iterator[Tree | None]:
    if ref is None or ref == "none":
        yield None
        return
    with Tree.at(ref) as tree:
        yield tree


def show_profile(path: Path, members: int, top: int = 25) -> None:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    per_member = 1000 * total / members
    say(f"  profile {path} (the engine's whole life, CPU): {total:.1f}s, {per_member:.2f} ms "
        f"per member dispatched; top {top} by own time:")  # fmt: skip
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, own, cumulative, _) in rows[:top]:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        say(f"    {own:7.2f}s own {cumulative:7.2f}s cum {calls:>9,} calls  {name}  {where}")
