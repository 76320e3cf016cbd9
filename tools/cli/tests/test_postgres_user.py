"""As root, the stack's PostgreSQL runs as another user through runuser, which lives in /usr/sbin:
a shell with a plain PATH (`env -i PATH=/usr/bin:/bin make up`) must still find it."""

from __future__ import annotations

import pwd
import shutil
from pathlib import Path

import pytest

from smsbus.cli.stack import postgres

SYSTEM_RUNUSER = shutil.which("runuser", path="/usr/sbin:/sbin")
needs_runuser = pytest.mark.skipif(SYSTEM_RUNUSER is None, reason="no runuser on this machine")


@needs_runuser
@pytest.mark.parametrize("path", ["/usr/bin:/bin", "", "/nonexistent"])
def test_runuser_is_found_outside_the_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    monkeypatch.setenv("PATH", path)
    user = pwd.getpwuid(0)
    prefix = postgres._as_user(user)
    assert Path(prefix[0]).name == "runuser"
    assert Path(prefix[0]).is_file()
    assert prefix[1:] == ["-u", user.pw_name, "--"]


def test_no_runuser_anywhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(RuntimeError, match="runuser"):
        postgres._as_user(pwd.getpwuid(0))
