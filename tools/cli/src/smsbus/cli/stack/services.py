"""The services and tools the stack runs as processes, once their package is in the workspace.

Each runs as `python -m <module>` with the stack's environment and answers /readyz on its port.
A later issue adds a service by adding its package: it joins `make up` without touching this file.

A consuming service runs as SMSBUS_REPLICAS processes, members of its one consumer group: the
first keeps the service's name, port and log; the n-th is `<name>-n` on the port + 100(n-1).
Every one of them is safe to run several times (README "Several processes of a service").
Ingest is not multiplied here: it is stateless and scales by workers behind one port (`uvicorn
--factory smsbus.ingest.app:app_from_env --workers N`), and nothing locally would spread webhooks
across ports; the simulator stands in for OpenPhone, of which there is one.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from smsbus.cli.stack.cluster import REPLICA_PORT_STEP, replica_port
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.processes import PidFile, port_in_use, spawn


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port_variable: str
    default_port: int
    schema: str | None = None  # the PostgreSQL schema the service owns, if any
    replicated: bool = False  # a consumer-group member: SMSBUS_REPLICAS processes of it


# Start order: the simulator stands in for OpenPhone, so it comes before its callers.
KNOWN_SERVICES = (
    ServiceSpec("openphone-sim", "smsbus.openphone_sim", "SMSBUS_SIM_PORT", 8090),
    ServiceSpec("ingest-webhooks", "smsbus.ingest", "SMSBUS_INGEST_PORT", 8080),
    ServiceSpec(
        "compliance", "smsbus.compliance", "SMSBUS_COMPLIANCE_PORT", 8081, "compliance", True
    ),
    ServiceSpec(
        "campaign-engine", "smsbus.campaigns", "SMSBUS_CAMPAIGNS_PORT", 8082, "campaigns", True
    ),
    ServiceSpec(
        "reconciler", "smsbus.reconciler", "SMSBUS_RECONCILER_PORT", 8083, "reconciler", True
    ),
    ServiceSpec("health-monitor", "smsbus.health", "SMSBUS_HEALTH_PORT", 8084, "health", True),
)


def migrations_dir(spec: ServiceSpec) -> Path | None:
    """The service's Alembic scripts (`<package>/migrations`), when it owns a schema."""
    module = importlib.util.find_spec(spec.module)
    if spec.schema is None or module is None or not module.submodule_search_locations:
        return None
    for location in module.submodule_search_locations:
        candidate = Path(location) / "migrations"
        if (candidate / "env.py").exists():
            return candidate
    return None


def installed_services(specs: tuple[ServiceSpec, ...] = KNOWN_SERVICES) -> list[ServiceSpec]:
    """The services whose runnable package (`<module>/__main__.py`) exists in this workspace."""
    return [spec for spec in specs if _runnable(spec.module)]


def _runnable(module: str) -> bool:
    try:
        return importlib.util.find_spec(f"{module}.__main__") is not None
    except ModuleNotFoundError:  # the package itself is not in the workspace (yet)
        return False


class ServiceProcess:
    stop_signal = signal.SIGTERM
    # Every process of the stack starts at once (commands.start): on two cores a dozen Python
    # processes importing together take a while.
    ready_timeout = 60.0
    external = False

    def __init__(self, config: StackConfig, spec: ServiceSpec, replica: int = 1) -> None:
        self.config = config
        self.spec = spec
        self.replica = replica
        self.name = spec.name if replica == 1 else f"{spec.name}-{replica}"
        self.port = replica_port(config.port(spec.port_variable, spec.default_port), replica)
        self.pidfile = PidFile(config.pids_dir, self.name)
        self.log = config.logs_dir / f"{self.name}.log"

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def install(self) -> None:
        """Installed by `uv sync` with the workspace."""

    def start(self) -> None:
        if port_in_use("127.0.0.1", self.port):
            raise SystemExit(
                f"port {self.port} for {self.name} is taken by a process this stack did not "
                f"start; stop it or set {self.spec.port_variable} (replica n: its port + "
                f"{REPLICA_PORT_STEP}(n-1))"
            )
        env = {**self.config.child_environment(), self.spec.port_variable: str(self.port)}
        argv = [sys.executable, "-m", self.spec.module]
        self.pidfile.write(spawn(argv, log=self.log, env=env, cwd=self.config.repo), argv)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.address}/readyz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
