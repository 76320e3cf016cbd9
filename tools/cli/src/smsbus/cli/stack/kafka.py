"""A single-node Apache Kafka 4.x (KRaft) run from Maven Central jars.

deploy/kafka/pom.xml names the jars; Maven copies them into <state>/kafka/libs once (re-copied when
the pom changes). The storage is formatted once (--standalone, matching the dynamic quorum in
server.properties) and the broker runs as `java kafka.Kafka`. Ready = an admin metadata request
succeeds, not merely an open port.
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

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.install import ensure_debian_packages
from smsbus.cli.stack.processes import PidFile, port_in_use, spawn

NAME = "kafka"


class KafkaBroker:
    name = NAME
    # SIGTERM is a controlled shutdown; after SIGKILL the next start runs log recovery.
    stop_signal = signal.SIGTERM
    ready_timeout = 90.0

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.home = config.state_dir / "kafka"
        self.libs = self.home / "libs"
        self.data = self.home / "data"
        self.pidfile = PidFile(config.pids_dir, NAME)
        self.log = config.logs_dir / "kafka.log"
        self.external = config.kafka_external

    @property
    def address(self) -> str:
        return self.config.kafka_bootstrap

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
        if port_in_use("127.0.0.1", self.config.kafka_port):
            raise SystemExit(
                f"port {self.config.kafka_port} is taken by a process this stack did not start; "
                "stop it, or set SMSBUS_KAFKA_PORT, or point SMSBUS_KAFKA_BOOTSTRAP at that broker"
            )
        self.config.logs_dir.mkdir(parents=True, exist_ok=True)
        properties = self._render_properties()
        self._format_storage(properties)
        argv = [*self._java(), "kafka.Kafka", str(properties)]
        env = {**self.config.child_environment(), "LOG_DIR": str(self.config.logs_dir)}
        self.pidfile.write(spawn(argv, log=self.log, env=env, cwd=self.home), argv)

    def ready(self) -> bool:
        return asyncio.run(_metadata_ok(self.address))

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

    def _render_properties(self) -> Path:
        template = Template((self.config.repo / "deploy/kafka/server.properties").read_text())
        rendered = template.substitute(
            broker_address=f"127.0.0.1:{self.config.kafka_port}",
            controller_address=f"127.0.0.1:{self.config.kafka_controller_port}",
            data_dir=self.data,
            partitions=self.config.topic_partitions,
        )
        path = self.home / "server.properties"
        path.write_text(rendered)
        return path

    def _format_storage(self, properties: Path) -> None:
        if (self.data / "meta.properties").exists():
            return
        cluster_id = new_cluster_id()
        with self.log.open("ab") as out:
            subprocess.run(
                [
                    *self._java(), "kafka.tools.StorageTool", "format", "--standalone",
                    "--cluster-id", cluster_id, "--config", str(properties), "--ignore-formatted",
                ],
                check=True, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip


def new_cluster_id() -> str:
    """A random cluster id as Kafka spells one: 22 url-safe base64 characters, never a leading '-'.

    Kafka's own Uuid.randomUuid draws again for a leading '-': StorageTool's argument parser would
    read "--cluster-id -x..." as a missing value followed by an unknown option (a CI run failed so).
    """
    while True:
        cluster_id = urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


async def _metadata_ok(bootstrap: str) -> bool:
    # While the broker starts, aiokafka logs every refused connection; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.describe_cluster()
    except Exception:
        return False
    finally:
        await admin.close()
    return True
