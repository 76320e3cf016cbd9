"""campaign-engine as a real OS process (`python -m smsbus.campaigns`), configured only through
its environment as in production, for the kill -9 and several-processes tests. Its clock is
registered with the stack, so `stack.advance()` moves it too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from smsbus.campaigns.settings import Settings
from smsbus.ingest.testing import free_port

from .harness import Stack, eventually


@dataclass
class EngineProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    stack: Stack

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, in-flight sends and open transactions are cut."""
        if self.url in self.stack.processes:
            self.stack.processes.remove(self.url)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def environment(settings: Settings, *, port: int) -> dict[str, str]:
    """Every setting as the variable the service reads it from (its alias, else the prefix)."""
    env = dict(os.environ)
    for name, info in Settings.model_fields.items():
        value: Any = getattr(settings, name)
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        alias = info.validation_alias
        env[alias if isinstance(alias, str) else f"SMSBUS_CAMPAIGNS_{name.upper()}"] = str(value)
    env["SMSBUS_CAMPAIGNS_PORT"] = str(port)
    env["SMSBUS_LOG_LEVEL"] = "WARNING"
    return env


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "smsbus.campaigns"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def start_engine(stack: Stack, **overrides: Any) -> EngineProcess:
    """Starts an engine process on the stack's schema and topics; returns once it is ready."""
    port = free_port()
    settings = stack.settings(clock_start=stack.clock.now(), **overrides)
    log = Path(tempfile.gettempdir()) / f"campaign-engine-{stack.schema}-{port}.log"
    process = spawn(environment(settings, port=port), log)
    engine = EngineProcess(process, f"http://127.0.0.1:{port}", log, stack)

    async def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"engine exited with {process.returncode}:\n{engine.tail()}")
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                return (await http.get(f"{engine.url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    try:
        await eventually(ready, within=90, every=0.3)
    except AssertionError:
        engine.kill()
        raise
    stack.processes.append(engine.url)
    await stack.advance(0)  # the process's clock = the test's clock from now on
    return engine
