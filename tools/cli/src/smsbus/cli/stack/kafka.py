"""Apache Kafka 4.x (KRaft) run from Maven Central jars: one node, or a cluster on this machine.

deploy/kafka/pom.xml names the jars; Maven copies them into <state>/kafka/libs once (re-copied when
the pom changes), shared by every node. Each node is broker and controller, runs as `java
kafka.Kafka` and is formatted once:
- one node (the default): in <state>/kafka, a dynamic quorum formatted with --standalone;
- a cluster (SMSBUS_KAFKA_BROKERS=3): node n in <state>/kafka/cluster-3/broker-n, the static
  voters of every node's controller, all formatted with one cluster id (cluster-3/cluster-id).
  The nodes must start together: none is ready before a majority of controllers runs.
Ready = the cluster's metadata, asked of this very node, lists it: not merely an open port.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import signal
import subprocess
import uuid
from base64 import urlsafe_b64encode
from pathlib import Path
from string import Template

from aiokafka.admin import AIOKafkaAdminClient

from smsbus.cli.stack.cluster import check_ports
from smsbus.cli.stack.config import LOCAL_KAFKA_HOST, StackConfig
from smsbus.cli.stack.install import ensure_debian_packages
from smsbus.cli.stack.processes import PidFile, port_in_use, spawn

NAME = "kafka"


class KafkaBroker:
    """Node `node_id` (1-based) of the local Kafka: the only one, or one of a cluster's."""

    # SIGTERM is a controlled shutdown; after SIGKILL the next start runs log recovery.
    stop_signal = signal.SIGTERM
    ready_timeout = 90.0

    def __init__(self, config: StackConfig, node_id: int = 1) -> None:
        self.config = config
        self.node_id = node_id
        self.clustered = config.kafka_brokers > 1
        root = config.state_dir / "kafka"
        self.libs = root / "libs"
        self.cluster_dir = root / f"cluster-{config.kafka_brokers}"
        self.home = self.cluster_dir / f"broker-{node_id}" if self.clustered else root
        self.name = f"{NAME}-{node_id}" if self.clustered else NAME
        self.data = self.home / "data"
        self.pidfile = PidFile(config.pids_dir, self.name)
        self.log = config.logs_dir / f"{self.name}.log"
        self.external = config.kafka_external
        self.port, self.controller_port = config.kafka_node_ports(node_id)

    @property
    def address(self) -> str:
        if self.external:
            return self.config.kafka_bootstrap
        return f"{LOCAL_KAFKA_HOST}:{self.port}"

    def install(self) -> None:
        """Java and Maven from Debian when missing, then the broker jars from Maven Central."""
        if self.external:
            return
        ensure_debian_packages({"java": "openjdk-17-jre-headless", "mvn": "maven"})
        pom = self.config.repo / "deploy/kafka/pom.xml"
        stamp = self.libs / ".pom-sha256"
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest:
            return
        if self.libs.exists():
            shutil.rmtree(self.libs)
        self.libs.mkdir(parents=True)
        maven = subprocess.run(
            [
                "mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(pom),
                "dependency:copy-dependencies", f"-DoutputDirectory={self.libs}",
                "-DincludeScope=runtime",
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if maven.returncode != 0:
            raise SystemExit(f"Maven could not fetch the Kafka jars:\n{maven.stdout}{maven.stderr}")
        stamp.write_text(digest)

    def start(self) -> None:
        check_ports(
            [
                port
                for node in self.config.kafka_nodes
                for port in self.config.kafka_node_ports(node)
            ]
        )
        for port in (self.port, self.controller_port):
            if port_in_use(LOCAL_KAFKA_HOST, port):
                raise SystemExit(
                    f"port {port} ({self.name}) is taken by a process this stack did not start; "
                    "stop it, or set SMSBUS_KAFKA_PORT and SMSBUS_KAFKA_CONTROLLER_PORT, or point "
                    "SMSBUS_KAFKA_BOOTSTRAP at that broker"
                )
        self.config.logs_dir.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        properties = self._render_properties()
        self._format_storage(properties)
        argv = [*self._java(), "kafka.Kafka", str(properties)]
        env = {**self.config.child_environment(), "LOG_DIR": str(self.config.logs_dir)}
        self.pidfile.write(spawn(argv, log=self.log, env=env, cwd=self.home), argv)

    def ready(self) -> bool:
        node = None if self.external else self.node_id
        return asyncio.run(_metadata_lists(self.address, node))

    def _java(self) -> list[str]:
        return [
            "java",
            *self.config.kafka_heap,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.config.repo / 'deploy/kafka/log4j2.properties'}",
            f"-Dkafka.logs.dir={self.config.logs_dir}",
            "-cp",
            f"{self.libs}/*",  # java expands the wildcard itself
        ]

    def _quorum(self) -> str:
        if not self.clustered:
            return f"controller.quorum.bootstrap.servers={LOCAL_KAFKA_HOST}:{self.controller_port}"
        voters = (
            f"{node}@{LOCAL_KAFKA_HOST}:{self.config.kafka_node_ports(node)[1]}"
            for node in self.config.kafka_nodes
        )
        return "controller.quorum.voters=" + ",".join(voters)

    def _render_properties(self) -> Path:
        template = Template((self.config.repo / "deploy/kafka/server.properties").read_text())
        replication = self.config.replication
        if replication.factor > self.config.kafka_brokers:
            raise SystemExit(
                f"replication factor {replication.factor} needs as many brokers; "
                f"SMSBUS_KAFKA_BROKERS is {self.config.kafka_brokers}"
            )
        rendered = template.substitute(
            node_id=self.node_id,
            quorum=self._quorum(),
            broker_address=f"{LOCAL_KAFKA_HOST}:{self.port}",
            controller_address=f"{LOCAL_KAFKA_HOST}:{self.controller_port}",
            data_dir=self.data,
            partitions=self.config.topic_partitions,
            replication_factor=replication.factor,
            min_insync_replicas=replication.min_insync,
        )
        path = self.home / "server.properties"
        path.write_text(rendered)
        return path

    def _format_storage(self, properties: Path) -> None:
        if (self.data / "meta.properties").exists():
            return
        # A cluster's nodes share one id; a single node's quorum is itself (--standalone).
        quorum = ["--standalone"] if not self.clustered else []
        with self.log.open("ab") as out:
            subprocess.run(
                [
                    *self._java(), "kafka.tools.StorageTool", "format", *quorum,
                    "--cluster-id", self._cluster_id(), "--config", str(properties),
                    "--ignore-formatted",
                ],
                check=True, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def _cluster_id(self) -> str:
        if not self.clustered:
            return new_cluster_id()
        path = self.cluster_dir / "cluster-id"
        if not path.exists():
            self.cluster_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(new_cluster_id())
        return path.read_text().strip()


def new_cluster_id() -> str:
    """A random cluster id as Kafka spells one: 22 url-safe base64 characters, never a leading '-'.

    Kafka's own Uuid.randomUuid draws again for a leading '-': StorageTool's argument parser would
    read "--cluster-id -x..." as a missing value followed by an unknown option (a CI run failed so).
    """
    while True:
        cluster_id = urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


async def _metadata_lists(bootstrap: str, node_id: int | None) -> bool:
    """The cluster's metadata answers (and, for a node of ours, lists it among live brokers)."""
    # While the broker starts, aiokafka logs every refused connection; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
    except Exception:
        return False
    finally:
        await admin.close()
    return node_id is None or node_id in {broker["node_id"] for broker in cluster["brokers"]}
