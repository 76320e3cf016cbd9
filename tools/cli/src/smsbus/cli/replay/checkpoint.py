"""Where a copy replay stands, so that the same command after Ctrl-C goes on from there.

A replay is named by what it was asked (topics, window, filters, target): its id is a hash of
that plan, so running the same command again finds its checkpoint. The checkpoint keeps the
window as resolved the first time (offsets per partition: a resumed replay never reaches
further than the first run would have), the next offset to read in each partition, the counts,
and where each partition of the target ended when it was saved: what the target received after
that (a crash between a write and the next save) is found there by `x-replayed-by` and not
written again.

The file lives in `<state dir>/replays/<id>.json`, written whole and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsbus.cli.replay.window import Part, Span


def part_name(part: Part) -> str:
    return f"{part[0]}/{part[1]}"


def parse_part(name: str) -> Part:
    topic, _, partition = name.rpartition("/")
    return topic, int(partition)


def replay_id(plan: Mapping[str, Any]) -> str:
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass
class Checkpoint:
    replay_id: str
    plan: dict[str, Any]
    spans: dict[str, Span]
    positions: dict[str, int]
    """Next offset to read per partition: every record before it is done."""
    by_type: Counter[str] = field(default_factory=Counter)
    by_partition: Counter[str] = field(default_factory=Counter)
    target_ends: dict[int, int] = field(default_factory=dict)
    """The target's end offset per partition when this was saved."""
    finished: bool = False

    @classmethod
    def new(cls, plan: dict[str, Any], spans: Mapping[Part, Span]) -> Checkpoint:
        named = {part_name(part): span for part, span in sorted(spans.items())}
        return cls(
            replay_id=replay_id(plan),
            plan=plan,
            spans=named,
            positions={name: span.start for name, span in named.items()},
        )

    @property
    def total(self) -> int:
        """Records in the window."""
        return sum(span.size for span in self.spans.values())

    @property
    def scanned(self) -> int:
        return sum(self.positions[name] - span.start for name, span in self.spans.items())

    @property
    def copied(self) -> int:
        return sum(self.by_type.values())

    def remaining(self) -> dict[Part, Span]:
        """What is left to read: from each partition's position to the window's end."""
        return {
            parse_part(name): Span(self.positions[name], span.end)
            for name, span in self.spans.items()
            if self.positions[name] < span.end
        }

    def record(self, part: Part, offset: int, event_type: str | None) -> None:
        """`offset` of `part` is done; `event_type`: it was (or would be) copied."""
        name = part_name(part)
        self.positions[name] = max(self.positions[name], offset + 1)
        if event_type is not None:
            self.by_type[event_type or "(no type)"] += 1
            self.by_partition[name] += 1

    def counts(self) -> dict[str, Any]:
        return {
            "by_type": dict(sorted(self.by_type.items())),
            "by_partition": dict(sorted(self.by_partition.items())),
        }

    def to_json(self) -> str:
        return json.dumps(
            {
                "replay_id": self.replay_id,
                "plan": self.plan,
                "spans": {name: [s.start, s.end] for name, s in self.spans.items()},
                "positions": self.positions,
                "by_type": dict(self.by_type),
                "by_partition": dict(self.by_partition),
                "target_ends": {str(p): end for p, end in self.target_ends.items()},
                "finished": self.finished,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        raw = json.loads(text)
        return cls(
            replay_id=raw["replay_id"],
            plan=raw["plan"],
            spans={name: Span(start, end) for name, (start, end) in raw["spans"].items()},
            positions={name: int(offset) for name, offset in raw["positions"].items()},
            by_type=Counter(raw["by_type"]),
            by_partition=Counter(raw["by_partition"]),
            target_ends={int(p): int(end) for p, end in raw["target_ends"].items()},
            finished=bool(raw["finished"]),
        )


def checkpoint_path(state_dir: Path, replay: str) -> Path:
    return state_dir / "replays" / f"{replay}.json"


def save(path: Path, checkpoint: Checkpoint) -> None:
    """Whole or not at all: a crash while writing leaves the previous checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(checkpoint.to_json() + "\n")
    os.replace(partial, path)


def load(path: Path) -> Checkpoint | None:
    return Checkpoint.from_json(path.read_text()) if path.is_file() else None
