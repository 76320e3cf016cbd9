"""The local stack's API token (DESIGN §3c): one `all` token per `make up`, kept in the state
folder for the CLI and the demo. A SMSBUS_API_TOKENS given in the environment or .env is used
as given, and its first `all` token is what the stack's own callers send."""

from __future__ import annotations

import secrets
from pathlib import Path

from smsbus.cli.stack.variables import API_TOKEN
from smsbus.runtime.auth import first_all_token


def token_file(state_dir: Path) -> Path:
    return state_dir / "api-token"


def new_token(state_dir: Path) -> str:
    """A fresh token for this `make up`, readable by its owner only."""
    token = secrets.token_urlsafe(32)
    path = token_file(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return token


def stack_token(env: dict[str, str], state_dir: Path) -> str | None:
    """The `all` token the stack's callers send: from a given SMSBUS_API_TOKENS, else the
    state folder's (None before the first `make up`)."""
    given = env.get("SMSBUS_API_TOKENS")
    if given:
        return first_all_token(given)
    path = token_file(state_dir)
    return path.read_text().strip() if path.is_file() else None


def caller_token(env: dict[str, str], state_dir: Path) -> str | None:
    """What the CLI and the demo send: SMSBUS_API_TOKEN, else the stack's."""
    return env.get(API_TOKEN.name) or stack_token(env, state_dir)
