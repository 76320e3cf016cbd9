"""The variables of the local stack itself (not of a service): name, default, meaning.

StackConfig reads them through these entries, and `.env.example` documents them from here
(smsbus.cli.configuration), so a new one is documented by being declared.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StackVariable:
    name: str
    default: str
    meaning: str
    secret: bool = False


STATE_DIR = StackVariable(
    "SMSBUS_STATE_DIR",
    ".smsbus",
    "Where the local stack keeps the broker's jars and data, the database cluster, the API token, "
    "pid files and logs (default: .smsbus in the repository; a relative path is taken from the "
    "current directory).",
)
KAFKA_PORT = StackVariable(
    "SMSBUS_KAFKA_PORT",
    "9092",
    "The local broker's PLAINTEXT port (ignored when SMSBUS_KAFKA_BOOTSTRAP names a broker).",
)
KAFKA_CONTROLLER_PORT = StackVariable(
    "SMSBUS_KAFKA_CONTROLLER_PORT", "9093", "The local broker's KRaft CONTROLLER port."
)
KAFKA_HEAP = StackVariable(
    "SMSBUS_KAFKA_HEAP",
    "-Xms512m -Xmx1g",
    "The JVM heap of each local broker (unset with SMSBUS_KAFKA_BROKERS above 1: -Xms256m -Xmx512m "
    "each).",
)
KAFKA_BROKERS = StackVariable(
    "SMSBUS_KAFKA_BROKERS",
    "1",
    "Brokers of the local Kafka cluster (KRaft; each is also a controller): 3 runs a replicated "
    "cluster on this machine, broker n on SMSBUS_KAFKA_PORT + 2(n-1) and its controller on "
    "SMSBUS_KAFKA_CONTROLLER_PORT + 2(n-1). Unset: what the running stack was started with, "
    "else 1.",
)
KAFKA_REPLICATION_FACTOR = StackVariable(
    "SMSBUS_KAFKA_REPLICATION_FACTOR",
    "",
    "Replicas of every topic `make up` and `smsbus provision` create, and of Kafka's internal "
    "topics (consumer offsets, transaction state). Unset: the number of brokers, at most 3 (set "
    "it for an external cluster).",
)
KAFKA_MIN_INSYNC_REPLICAS = StackVariable(
    "SMSBUS_KAFKA_MIN_INSYNC_REPLICAS",
    "",
    "min.insync.replicas of those topics: an acks=all write (every producer's) is acknowledged "
    "only once on this many brokers. Unset: the replication factor minus 1, at least 1 (2 of 3).",
)
REPLICAS = StackVariable(
    "SMSBUS_REPLICAS",
    "1",
    "Processes of each consuming service (compliance, campaign-engine, reconciler, health-monitor) "
    "the local stack starts, members of one consumer group per service; the n-th listens on the "
    "service's port + 100(n-1). Unset: what the running stack was started with, else 1.",
)
POSTGRES_PORT = StackVariable(
    "SMSBUS_POSTGRES_PORT",
    "5432",
    "The local PostgreSQL cluster's port (ignored when SMSBUS_DATABASE_URL names a server).",
)
TOPIC_PARTITIONS = StackVariable(
    "SMSBUS_TOPIC_PARTITIONS",
    "6",
    "Partitions of every topic `make up` and `smsbus provision` create from the registry.",
)
API_TOKEN = StackVariable(
    "SMSBUS_API_TOKEN",
    "",
    "The bearer token the smsbus CLI and `smsbus demo` send; unset: the first `all` token of "
    "SMSBUS_API_TOKENS, else the one `make up` generated (<state dir>/api-token).",
    secret=True,
)

STACK_VARIABLES = (
    STATE_DIR,
    KAFKA_PORT,
    KAFKA_CONTROLLER_PORT,
    KAFKA_HEAP,
    KAFKA_BROKERS,
    KAFKA_REPLICATION_FACTOR,
    KAFKA_MIN_INSYNC_REPLICAS,
    REPLICAS,
    POSTGRES_PORT,
    TOPIC_PARTITIONS,
    API_TOKEN,
)
