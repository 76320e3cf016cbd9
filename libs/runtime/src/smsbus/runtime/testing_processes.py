"""A service as a real OS process for end-to-end tests (`python -m <module>`), configured only
through its environment as in production: what the e2e harnesses of campaign-engine, the
egress and the fuzzing share."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic_settings import BaseSettings

from smsbus.runtime.testing import eventually


def environment(settings: BaseSettings, *, prefix: str, port: int) -> dict[str, str]:
    """Every setting that differs from the service's default, as the variable the service reads
    it from (its alias, else the prefix); nothing of the outer stack's SMSBUS_* leaks in."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SMSBUS_")}
    for name, info in type(settings).model_fields.items():
        value: Any = getattr(settings, name)
        if value is None or value == info.default:
            continue  # the service's own default: nothing to say
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, dict):  # topic_overrides: JSON, as pydantic-settings reads it
            value = json.dumps(value)
        elif isinstance(value, list):  # lists the services read comma-separated
            value = ",".join(str(item) for item in value)
        alias = info.validation_alias
        env[alias if isinstance(alias, str) else f"{prefix}{name.upper()}"] = str(value)
    env |= {f"{prefix}PORT": str(port), "SMSBUS_LOG_LEVEL": "WARNING"}
    return env


@dataclass
class Process:
    """A service as a real OS process (`python -m <module>`), configured by its environment."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs; open transactions and in-flight work are cut."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


async def start_process(
    module: str, settings: BaseSettings, *, prefix: str, port: int, ready: str = "/readyz"
) -> Process:
    """Starts `module` on `port` and returns once `ready` answers 200 (its log: a temp file)."""
    log = Path(tempfile.gettempdir()) / f"e2e-{module}-{port}-{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: ASYNC220 (it returns at once)
            [sys.executable, "-m", module],
            env=environment(settings, prefix=prefix, port=port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    started = Process(process, f"http://127.0.0.1:{port}", port, log)

    async def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{module} exited with {process.returncode}:\n{started.tail()}")
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                return (await http.get(f"{started.url}{ready}")).status_code == 200
        except httpx.TransportError:
            return False

    try:
        await eventually(answers, within=90, every=0.3)
    except AssertionError:
        started.kill()
        raise
    return started
