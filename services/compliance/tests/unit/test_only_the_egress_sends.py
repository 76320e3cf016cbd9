"""No code path but the egress texts anyone: a check over every source tree of the workspace.

OpenPhone's `POST /v1/messages` may be named only by the client that speaks it (libs/openphone),
by the simulator that answers it, by the contract that shapes it, and called only from
compliance's egress. A new caller anywhere else fails this test (the e2e run checks the same
thing from the other side: the simulator's request log names the egress as the only sender).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
SOURCES = [path for pattern in ("libs/*/src", "services/*/src", "tools/*/src") for path in ROOT.glob(pattern)]  # fmt: skip
SPEAKS_OPENPHONE = [
    ROOT / "libs/openphone/src",  # the client: it builds the request
    ROOT / "libs/contracts/src",  # the request's shape
    ROOT / "tools/openphone-sim/src",  # the simulator: it answers it
]
EGRESS = ROOT / "services/compliance/src/smsbus/compliance/egress"
SENDING_CALLS = {"send_message", "send"}


def _allowed(path: Path, places: list[Path]) -> bool:
    return any(path.is_relative_to(place) for place in places)


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    names_request = any(
        isinstance(node, ast.Name | ast.alias)
        and (getattr(node, "id", None) or getattr(node, "name", None)) == "SendMessageRequest"
        for node in ast.walk(tree)
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "/v1/messages":
            found.append(f"{path}:{node.lineno}: names /v1/messages")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "send_message"
        ):
            found.append(f"{path}:{node.lineno}: calls send_message")
    if names_request:
        found.append(f"{path}: builds a SendMessageRequest")
    return found


def test_the_workspace_has_source_trees_to_check() -> None:
    assert len(SOURCES) >= 8
    assert EGRESS.is_dir()


def test_only_the_egress_sends_a_text() -> None:
    offences = [
        offence
        for source in SOURCES
        for path in sorted(source.rglob("*.py"))
        if not _allowed(path, [*SPEAKS_OPENPHONE, EGRESS])
        for offence in _offences(path)
    ]
    assert offences == []


def test_the_check_would_catch_a_second_sender(tmp_path: Path) -> None:
    rogue = tmp_path / "rogue.py"
    rogue.write_text(
        "from smsbus.contracts.rest import SendMessageRequest\n"
        "async def blast(client):\n"
        "    await client.send_message(from_='PN1', to=['+1'], content='hi')\n"
        "    await client._transport.request('POST', '/v1/messages')\n"
    )
    assert len(_offences(rogue)) == 3


def test_the_egress_is_where_sending_happens() -> None:
    calls = [
        node.func.attr
        for path in EGRESS.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SENDING_CALLS
    ]
    assert "send" in calls
