"""The local stack's API token: generated per `make up` unless SMSBUS_API_TOKENS is given, handed
to every service and caller, each caller's own variable winning."""

from pathlib import Path

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.tokens import caller_token, new_token

CALLERS = ("SMSBUS_API_TOKEN", "SMSBUS_CAMPAIGNS_API_TOKEN", "SMSBUS_COMPLIANCE_API_TOKEN")


def config(tmp_path: Path, **env: str) -> StackConfig:
    return StackConfig(repo=tmp_path, env={"SMSBUS_STATE_DIR": str(tmp_path / "state"), **env})


def test_a_generated_token_reaches_every_service_and_caller(tmp_path: Path) -> None:
    stack = config(tmp_path)
    token = new_token(stack.state_dir)
    assert len(token) >= 32
    assert (stack.state_dir / "api-token").stat().st_mode & 0o077 == 0
    env = stack.child_environment()
    assert env["SMSBUS_API_TOKENS"] == f"local:{token}:all"
    assert all(env[name] == token for name in CALLERS)
    assert caller_token(stack.env, stack.state_dir) == token


def test_given_tokens_are_used_as_given_and_own_variables_win(tmp_path: Path) -> None:
    given = f"crm:{'c' * 32}:consent+read,ops:{'o' * 32}:all"
    stack = config(tmp_path, SMSBUS_API_TOKENS=given, SMSBUS_CAMPAIGNS_API_TOKEN="e" * 32)
    env = stack.child_environment()
    assert env["SMSBUS_API_TOKENS"] == given
    assert env["SMSBUS_CAMPAIGNS_API_TOKEN"] == "e" * 32
    assert env["SMSBUS_API_TOKEN"] == env["SMSBUS_COMPLIANCE_API_TOKEN"] == "o" * 32
