"""Which README commands CI's walk-through runs, and that its script stops at the first failure."""

import subprocess
from pathlib import Path

import pytest

from smsbus.cli.walkthrough import Command, Unmarked, blocks, runnable, script

REPO = Path(__file__).resolve().parents[3]

SAMPLE = """\
# Title

<!-- walkthrough: skip (make up comes first) -->
```bash
make up
```

<!-- walkthrough: run -->
```sh
make status   # what runs

# a comment line is no command
./uv run smsbus topics \\
    --flag
```

```python
print("not a shell block")
```

- a list item:

  <!-- walkthrough: run -->
  ```sh
  ./uv run smsbus lag
  ```
"""


def test_only_the_blocks_marked_run_give_commands_in_order() -> None:
    assert runnable(SAMPLE) == [
        Command(10, "make status   # what runs"),
        Command(13, "./uv run smsbus topics \\\n    --flag"),
        Command(25, "./uv run smsbus lag"),
    ]
    assert [(b.language, b.verdict) for b in blocks(SAMPLE)] == [
        ("bash", "skip"), ("sh", "run"), ("python", ""), ("sh", "run"),
    ]  # fmt: skip


def test_a_shell_block_that_says_neither_run_nor_skip_is_refused() -> None:
    unmarked = SAMPLE + "\n```sh\nrm -rf /tmp/x\n```\n"

    with pytest.raises(Unmarked, match=r"README\.md:28"):
        runnable(unmarked)


def test_the_script_stops_at_the_first_failing_command_and_names_it(tmp_path: Path) -> None:
    commands = [Command(3, "echo first"), Command(4, "WORD=kept"), Command(5, "test $WORD = kept"),
                Command(6, "false"), Command(7, "echo never")]  # fmt: skip

    done = subprocess.run(
        ["bash", "-c", script(commands)], capture_output=True, text=True, cwd=tmp_path
    )

    assert done.returncode == 1
    assert "first" in done.stdout
    assert "never" not in done.stdout.replace("echo never", "")
    assert "walkthrough: FAILED at README.md:6" in done.stderr


def test_the_readme_marks_every_shell_block_and_walks_through_the_demo() -> None:
    commands = [c.text.split("#")[0].strip() for c in runnable((REPO / "README.md").read_text())]

    assert "./uv run smsbus demo" in commands
    assert not any(c.startswith(("make up", "make down", "make test")) for c in commands)
