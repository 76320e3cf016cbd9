"""Where the local stack lives and how it is configured.

Values come from the environment and the repository's git-ignored `.env`, with local defaults that
make `make up` work on a fresh clone. A component whose URL the user set (SMSBUS_KAFKA_BOOTSTRAP,
SMSBUS_DATABASE_URL) is treated as external: the stack uses it and never starts or stops it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from smsbus.cli.stack.cluster import (
    CLUSTER_HEAP,
    Replication,
    Shape,
    node_ports,
    read_shape,
    replication_for,
    resolve_shape,
)
from smsbus.cli.stack.tokens import stack_token
from smsbus.cli.stack.variables import (
    KAFKA_CONTROLLER_PORT,
    KAFKA_HEAP,
    KAFKA_MIN_INSYNC_REPLICAS,
    KAFKA_PORT,
    KAFKA_REPLICATION_FACTOR,
    POSTGRES_PORT,
    STATE_DIR,
    TOPIC_PARTITIONS,
    StackVariable,
)

# A development-only key shared by the OpenPhone simulator (signing) and ingest (verifying).
# Base64 of "smsbus-local-development-only-00", as OpenPhone's signing keys are base64.
LOCAL_SIGNING_KEY = "c21zYnVzLWxvY2FsLWRldmVsb3BtZW50LW9ubHktMDA="
LOCAL_API_KEY = "smsbus-local-development-api-key"

LOCAL_KAFKA_HOST = "127.0.0.1"
LOCAL_DATABASE = "smsbus"
LOCAL_DATABASE_USER = "smsbus"


def find_repo_root(start: Path | None = None) -> Path:
    """The workspace root: the nearest directory upwards with a uv workspace pyproject."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text():
            return candidate
    raise SystemExit(f"not inside the smsbus workspace (no workspace pyproject above {here})")


@dataclass(frozen=True)
class StackConfig:
    repo: Path
    env: dict[str, str]
    _run_seed: int = field(default_factory=lambda: secrets.randbits(31), compare=False)

    @classmethod
    def load(
        cls, repo: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> StackConfig:
        root = repo or find_repo_root()
        from_file = {k: v for k, v in dotenv_values(root / ".env").items() if v is not None}
        return cls(repo=root, env={**from_file, **(os.environ if environ is None else environ)})

    def get(self, name: str, default: str) -> str:
        return self.env.get(name) or default

    def port(self, name: str, default: int) -> int:
        return int(self.get(name, str(default)))

    def value(self, variable: StackVariable) -> str:
        return self.get(variable.name, variable.default)

    @property
    def state_dir(self) -> Path:
        return Path(self.get(STATE_DIR.name, str(self.repo / STATE_DIR.default))).resolve()

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        return self.state_dir / "pids"

    @property
    def topic_partitions(self) -> int:
        return int(self.value(TOPIC_PARTITIONS))

    # Kafka
    @property
    def kafka_external(self) -> bool:
        return bool(self.env.get("SMSBUS_KAFKA_BOOTSTRAP"))

    @property
    def kafka_port(self) -> int:
        return int(self.value(KAFKA_PORT))

    @property
    def kafka_controller_port(self) -> int:
        return int(self.value(KAFKA_CONTROLLER_PORT))

    @property
    def kafka_bootstrap(self) -> str:
        """Every local broker, so that a client starting while one is down still finds the rest."""
        local = ",".join(
            f"{LOCAL_KAFKA_HOST}:{self.kafka_node_ports(node)[0]}" for node in self.kafka_nodes
        )
        return self.get("SMSBUS_KAFKA_BOOTSTRAP", local)

    @property
    def kafka_heap(self) -> list[str]:
        """Each broker's; a cluster's brokers get a smaller one unless the variable is set."""
        default = KAFKA_HEAP.default if self.kafka_brokers == 1 else CLUSTER_HEAP
        return self.get(KAFKA_HEAP.name, default).split()

    # The cluster's shape (cluster.py)
    @property
    def shape(self) -> Shape:
        return resolve_shape(self.env, read_shape(self.state_dir))

    @property
    def kafka_brokers(self) -> int:
        return self.shape.kafka_brokers

    @property
    def kafka_nodes(self) -> range:
        """The local brokers' node ids (1-based)."""
        return range(1, self.kafka_brokers + 1)

    def kafka_node_ports(self, node_id: int) -> tuple[int, int]:
        return node_ports(self.kafka_port, self.kafka_controller_port, node_id)

    @property
    def replicas(self) -> int:
        """Processes of each consuming service."""
        return self.shape.replicas

    @property
    def replication(self) -> Replication:
        return replication_for(
            self.kafka_brokers,
            self.env.get(KAFKA_REPLICATION_FACTOR.name),
            self.env.get(KAFKA_MIN_INSYNC_REPLICAS.name),
        )

    # PostgreSQL
    @property
    def postgres_external(self) -> bool:
        return bool(self.env.get("SMSBUS_DATABASE_URL"))

    @property
    def postgres_port(self) -> int:
        return int(self.value(POSTGRES_PORT))

    @property
    def database_url(self) -> str:
        local = (
            f"postgresql+asyncpg://{LOCAL_DATABASE_USER}:{LOCAL_DATABASE_USER}"
            f"@127.0.0.1:{self.postgres_port}/{LOCAL_DATABASE}"
        )
        return self.get("SMSBUS_DATABASE_URL", local)

    def local_defaults(self) -> dict[str, str]:
        """What every process of the local stack sees unless the environment or .env says otherwise:
        the wiring below, a new simulator run seed and the stack's API tokens."""
        return {
            **self.local_wiring(),
            # New message and event ids on every start: the database keeps the last run's, and
            # the consumers' inboxes would drop a repeated id as a duplicate.
            "SMSBUS_SIM_RUN_SEED": str(self._run_seed),
            **self.token_defaults(),
        }

    def local_wiring(self) -> dict[str, str]:
        """The simulator stands in for OpenPhone and signs its webhooks to ingest with a dev key;
        each service finds the others on the stack's ports."""
        sim = f"http://127.0.0.1:{self.port('SMSBUS_SIM_PORT', 8090)}"
        ingest = f"http://127.0.0.1:{self.port('SMSBUS_INGEST_PORT', 8080)}"
        compliance = f"http://127.0.0.1:{self.port('SMSBUS_COMPLIANCE_PORT', 8081)}"
        campaigns = f"http://127.0.0.1:{self.port('SMSBUS_CAMPAIGNS_PORT', 8082)}"
        return {
            "SMSBUS_OPENPHONE_BASE_URL": sim,
            "SMSBUS_OPENPHONE_API_KEY": LOCAL_API_KEY,
            "SMSBUS_INGEST_SIGNING_KEYS": LOCAL_SIGNING_KEY,
            "SMSBUS_SIM_SIGNING_KEY": LOCAL_SIGNING_KEY,
            "SMSBUS_SIM_WEBHOOK_URLS": f"{ingest}/webhooks/openphone",
            "SMSBUS_CAMPAIGNS_COMPLIANCE_URL": compliance,  # campaign-engine asks eligibility
            "SMSBUS_COMPLIANCE_CAMPAIGNS_URL": campaigns,  # the egress asks: still running?
        }

    def token_defaults(self) -> dict[str, str]:
        """Every service's SMSBUS_API_TOKENS and the callers' own tokens (each overridable)."""
        token = stack_token(self.env, self.state_dir)
        if token is None:
            return {}
        callers = ("SMSBUS_API_TOKEN", "SMSBUS_CAMPAIGNS_API_TOKEN", "SMSBUS_COMPLIANCE_API_TOKEN")
        return {"SMSBUS_API_TOKENS": f"local:{token}:all", **dict.fromkeys(callers, token)}

    def child_environment(self) -> dict[str, str]:
        """The environment for every process the stack starts (and for `make test`)."""
        return {
            **self.local_defaults(),
            **self.env,
            "SMSBUS_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "SMSBUS_DATABASE_URL": self.database_url,
        }
