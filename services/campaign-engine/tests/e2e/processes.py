"""campaign-engine as a real OS process (`python -m smsbus.campaigns`), configured only through
its environment as in production, for the kill -9 and several-processes tests. Its clock is
registered with the stack, so `stack.advance()` moves it too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smsbus.ingest.testing import free_port
from smsbus.runtime.testing_processes import Process, start_process

from .harness import Stack


@dataclass
class EngineProcess:
    running: Process
    stack: Stack

    @property
    def url(self) -> str:
        return self.running.url

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, in-flight sends and open transactions are cut."""
        if self.url in self.stack.processes:
            self.stack.processes.remove(self.url)
        self.running.kill()


async def start_engine(stack: Stack, **overrides: Any) -> EngineProcess:
    """Starts an engine process on the stack's schema and topics; returns once it is ready."""
    settings = stack.settings(clock_start=stack.clock.now(), **overrides)
    running = await start_process(
        "smsbus.campaigns", settings, prefix="SMSBUS_CAMPAIGNS_", port=free_port()
    )
    stack.processes.append(running.url)
    await stack.advance(0)  # the process's clock = the test's clock from now on
    return EngineProcess(running, stack)
