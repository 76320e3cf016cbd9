"""The README's runnable commands, as one bash script that stops at the first failure.

A shell block (```sh, bash, shell, console) in README.md says whether a reader can paste it as
it stands, right after `make up`, with a comment on the line before it:

    <!-- walkthrough: run -->              every command in it runs as written, in order
    <!-- walkthrough: skip (why) -->       an example with placeholders, or `make up` itself

An unmarked shell block is an error, so a new example is either runnable or says why not.
`.ci/walkthrough` runs the script on a fresh clone between `make up` and `make down` (must-show 1
of issue 14): `python -m smsbus.cli.walkthrough README.md > script && bash script`.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

SHELLS = {"sh", "bash", "shell", "console", "zsh"}
MARKER = re.compile(r"^<!--\s*walkthrough:\s*(?P<verdict>run|skip)\b(?P<why>.*?)-->\s*$")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")


class Unmarked(ValueError):
    """Shell blocks that say neither `run` nor `skip`."""


@dataclass(frozen=True)
class Command:
    line: int  # where it starts in the file, 1-based
    text: str


@dataclass(frozen=True)
class Block:
    line: int  # the opening fence's line, 1-based
    language: str
    verdict: str  # "run", "skip" or "" (unmarked)
    body: tuple[str, ...]

    def commands(self) -> list[Command]:
        """Logical lines: continuations (`\\` at the end) joined, comments and blanks left out."""
        found: list[Command] = []
        pending: list[str] = []
        start = 0
        for number, text in enumerate(self.body, start=self.line + 1):
            if not pending and (not text.strip() or text.lstrip().startswith("#")):
                continue
            if not pending:
                start = number
            pending.append(text)
            if not text.rstrip().endswith("\\"):
                found.append(Command(start, "\n".join(pending)))
                pending = []
        if pending:
            found.append(Command(start, "\n".join(pending)))
        return found


def blocks(markdown: str) -> list[Block]:
    """Every fenced block with its language and the walkthrough marker above it, if any."""
    lines = markdown.splitlines()
    found = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, info, indent = opening["fence"], opening["info"].strip(), len(opening["indent"])
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        above = next((t for t in reversed(lines[:index]) if t.strip()), "")
        marker = MARKER.match(above.strip())
        found.append(
            Block(
                line=index + 1,
                language=info.split()[0].lower() if info else "",
                verdict=marker["verdict"] if marker else "",
                body=tuple(text[indent:] for text in lines[index + 1 : end]),
            )
        )
        index = end + 1
    return found


def runnable(markdown: str, name: str = "README.md") -> list[Command]:
    """The commands of the blocks marked `run`, in order; Unmarked if a shell block is neither."""
    shell_blocks = [b for b in blocks(markdown) if b.language in SHELLS]
    unmarked = [f"{name}:{b.line}" for b in shell_blocks if not b.verdict]
    if unmarked:
        raise Unmarked(
            "shell blocks without `<!-- walkthrough: run -->` or `<!-- walkthrough: skip (why) -->`"
            " on the line before them: " + ", ".join(unmarked)
        )
    return [c for b in shell_blocks if b.verdict == "run" for c in b.commands()]


def script(commands: list[Command], name: str = "README.md") -> str:
    """Bash that echoes each command with where it is, runs it, and stops at the first failure."""
    lines = [
        "set -eo pipefail",
        "trap 'echo \"walkthrough: FAILED at $at (exit $?)\" >&2' ERR",
    ]
    for command in commands:
        where = f"{name}:{command.line}"
        lines += [
            f"at={shlex.quote(where)}; started=$SECONDS",
            f"echo {shlex.quote(f'+ {where}: {command.text}')}",
            command.text,
            'echo "  ok ($((SECONDS - started)) s)"',
        ]
    lines.append(f"echo 'walkthrough: {len(commands)} commands of {name}, each exited 0'")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "README.md")
    try:
        commands = runnable(path.read_text(), path.name)
    except Unmarked as exc:
        print(exc, file=sys.stderr)
        return 2
    sys.stdout.write(script(commands, path.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
