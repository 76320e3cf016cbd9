"""What the rendered overlays promise, checked against the code they deploy: setting names the
settings classes read (and values they accept), ports, probes, migrations, the autoscalers'
consumer groups and topics as the registry names them, and Kafka's durability."""

import os
import re
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from smsbus.campaigns.settings import Settings as CampaignsSettings
from smsbus.cli.stack.config import LOCAL_SIGNING_KEY, find_repo_root
from smsbus.cli.stack.services import KNOWN_SERVICES, migrations_dir
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts.topics import ROUTES
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.openphone_sim.settings import SimSettings
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.settings import ServiceSettings

Overlays = dict[str, Any]
Resource = dict[str, Any]

SETTINGS: dict[str, type[BaseSettings]] = {
    "ingest-webhooks": IngestSettings,
    "compliance": ComplianceSettings,
    "campaign-engine": CampaignsSettings,
    "reconciler": ReconcilerSettings,
    "health-monitor": HealthSettings,
    "openphone-sim": SimSettings,
}
SCHEMA_OWNERS = {spec.name: spec for spec in KNOWN_SERVICES if spec.schema}
CONSUMER_GROUPS = sorted({group for route in ROUTES for group in route.consumers})
# Written by CloudNativePG in the cluster; the placeholders of smsbus-secrets replaced by values
# of the right shape, so that the settings classes can be built from a manifest's environment.
STAND_INS = {
    ("smsbus-db-app", "password"): "db-password",
    ("smsbus-secrets", "SMSBUS_OPENPHONE_API_KEY"): "an-openphone-key",
    ("smsbus-secrets", "SMSBUS_INGEST_SIGNING_KEYS"): LOCAL_SIGNING_KEY,
    ("smsbus-secrets", "SMSBUS_API_TOKENS"): "ops:" + "t" * 40 + ":all",
    ("smsbus-secrets", "SMSBUS_CAMPAIGNS_API_TOKEN"): "t" * 40,
    ("smsbus-secrets", "SMSBUS_COMPLIANCE_API_TOKEN"): "t" * 40,
}
HELPER_VARIABLES = {"DATABASE_PASSWORD"}  # only spelled into SMSBUS_DATABASE_URL


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        else:
            names.add((prefix + field_name).upper())
    return names


def secret_value(rendered: Any, ref: dict[str, str]) -> str:
    stand_in = STAND_INS.get((ref["name"], ref["key"]))
    if stand_in is not None:
        return stand_in
    secret = rendered.one("Secret", ref["name"])
    return str(secret["stringData"][ref["key"]])


def container_env(rendered: Any, container: Resource) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom, then env in order, with
    $(NAME) replaced by what an earlier variable holds."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(rendered.one("ConfigMap", source["configMapRef"]["name"])["data"])
    for item in container.get("env", []):
        if "value" in item:
            value = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], str(item["value"]))
        else:
            value = secret_value(rendered, item["valueFrom"]["secretKeyRef"])
        env[item["name"]] = value
    return env


def main_container(deployment: Resource) -> Resource:
    (container,) = [
        c
        for c in deployment["spec"]["template"]["spec"]["containers"]
        if c["name"] == deployment["metadata"]["name"]
    ]
    return container


def build_settings(
    monkeypatch: pytest.MonkeyPatch, settings: type[BaseSettings], env: dict[str, str]
) -> Any:
    for name in [name for name in os.environ if name.startswith("SMSBUS_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings(_env_file=None)


def test_every_variable_given_to_a_service_is_one_its_settings_read(overlays: Overlays) -> None:
    problems = []
    for rendered in overlays.values():
        for deployment in rendered.of_kind("Deployment"):
            name = deployment["metadata"]["name"]
            for item in main_container(deployment).get("env", []):
                known = env_names(SETTINGS[name]) | HELPER_VARIABLES
                if item["name"] not in known:
                    problems.append(f"{rendered.overlay} {name}: {item['name']}")
        for key in rendered.config_map("smsbus-settings")["data"]:
            if not any(key in env_names(settings) for settings in SETTINGS.values()):
                problems.append(f"{rendered.overlay} smsbus-settings: {key}")
    assert problems == []


@pytest.mark.parametrize("overlay", ["small", "production", "dev"])
def test_each_service_starts_from_its_manifest_settings(
    overlays: Overlays, overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = overlays[overlay]
    settings_map = rendered.config_map("smsbus-settings")["data"]
    for deployment in rendered.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        container = main_container(deployment)
        env = container_env(rendered, container)
        settings = build_settings(monkeypatch, SETTINGS[name], env)
        assert (settings.host, settings.port) == ("0.0.0.0", container["ports"][0]["containerPort"])
        if name != "openphone-sim":  # OpenPhone's stand-in knows nothing of Kafka
            assert settings.kafka_bootstrap == settings_map["SMSBUS_KAFKA_BOOTSTRAP"]
        if name in SCHEMA_OWNERS:
            assert settings.database_url == (
                "postgresql+asyncpg://smsbus:db-password@smsbus-db-rw:5432/smsbus"
            )
            assert settings.group_id == name  # what the ScaledObjects measure the lag of


def test_the_migrations_job_migrates_the_schema_each_service_waits_for(
    overlays: Overlays, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    rendered = overlays["production"]
    job = rendered.one("Job", "smsbus-migrate")
    alembic_files = rendered.config_map("smsbus-alembic")["data"]
    migrated = {}
    for container in job["spec"]["template"]["spec"]["containers"]:
        command = container["command"]
        assert command[:2] == ["alembic", "-c"]
        assert command[3:] == ["upgrade", "head"]
        migrated[container["name"]] = (container["image"], command[2])
        env = container_env(rendered, container)
        settings = build_settings(monkeypatch, ServiceSettings, env)
        assert settings.database_url.startswith("postgresql+asyncpg://smsbus:db-password@")
    assert set(migrated) == set(SCHEMA_OWNERS)
    for name, spec in SCHEMA_OWNERS.items():
        deployment = rendered.one("Deployment", name)
        (wait,) = deployment["spec"]["template"]["spec"]["initContainers"]
        image, ini = migrated[name]
        assert wait["image"] == image == main_container(deployment)["image"]
        assert f"-c {ini} current --check-heads" in wait["command"][-1]
        # The ini resolves to the package's own migrations, whose head alembic can find.
        path = tmp_path / ini.rsplit("/", 1)[-1]
        path.write_text(alembic_files[path.name])
        script = ScriptDirectory.from_config(Config(str(path)))
        assert script.dir == str(migrations_dir(spec)), name
        assert len(script.get_heads()) == 1


@pytest.mark.parametrize("overlay", ["small", "production", "dev"])
def test_probes_services_and_scrape_annotations_use_the_service_port(
    overlays: Overlays, overlay: str
) -> None:
    rendered = overlays[overlay]
    for deployment in rendered.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        container = main_container(deployment)
        port = container["ports"][0]
        assert port["name"] == "http"
        if name != "openphone-sim":
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/port"] == str(port["containerPort"])
            assert annotations["prometheus.io/path"] == "/metrics"
        service = rendered.one("Service", name)
        assert service["spec"]["ports"][0]["targetPort"] == "http"
        assert service["spec"]["ports"][0]["port"] == port["containerPort"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()


def test_everything_lives_in_the_one_namespace(overlays: Overlays) -> None:
    for rendered in overlays.values():
        for resource in rendered.resources:
            if resource["kind"] != "Namespace":
                assert resource["metadata"].get("namespace") == "smsbus", (
                    rendered.overlay,
                    resource["kind"],
                    resource["metadata"]["name"],
                )


def test_every_smsbus_service_has_a_disruption_budget(overlays: Overlays) -> None:
    for rendered in overlays.values():
        for name in SETTINGS.keys() - {"openphone-sim"}:
            pdb = rendered.one("PodDisruptionBudget", name)
            pod_labels = rendered.one("Deployment", name)["spec"]["template"]["metadata"]["labels"]
            assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
            assert pdb["spec"]["maxUnavailable"] == 1


def test_every_container_has_requests_and_a_memory_limit(overlays: Overlays) -> None:
    for rendered in overlays.values():
        for workload in [*rendered.of_kind("Deployment"), *rendered.of_kind("Job")]:
            for container in rendered.containers(workload):
                resources = container["resources"]
                assert {"cpu", "memory"} <= resources["requests"].keys(), container["name"]
                assert "memory" in resources["limits"], container["name"]


def test_production_requests_more_than_small_and_autoscales(overlays: Overlays) -> None:
    small, production = overlays["small"], overlays["production"]
    for name in SETTINGS.keys() - {"openphone-sim"}:
        assert small.one("Deployment", name)["spec"]["replicas"] == 1
        # The autoscaler owns the count in production: an apply must not reset it.
        assert "replicas" not in production.one("Deployment", name)["spec"]
        spread = production.one("Deployment", name)["spec"]["template"]["spec"]
        assert (
            spread["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
        )
    assert small.of_kind("ScaledObject") == small.of_kind("HorizontalPodAutoscaler") == []
    hpa = production.one("HorizontalPodAutoscaler", "ingest-webhooks")
    assert hpa["spec"]["minReplicas"] >= 2


def test_scaled_objects_follow_the_registry_and_the_partitions(overlays: Overlays) -> None:
    rendered = overlays["production"]
    namespace = rendered.one("Namespace", "smsbus")["metadata"]["name"]
    kafka = rendered.one("Kafka", "smsbus")
    (plain,) = [lsn for lsn in kafka["spec"]["kafka"]["listeners"] if lsn["name"] == "plain"]
    bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap.{namespace}.svc:{plain['port']}"
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in rendered.of_kind("KafkaTopic")
    }
    assert (
        sorted(so["metadata"]["name"] for so in rendered.of_kind("ScaledObject")) == CONSUMER_GROUPS
    )
    for group in CONSUMER_GROUPS:
        scaled = rendered.one("ScaledObject", group)
        assert scaled["metadata"]["namespace"] == namespace
        assert scaled["spec"]["scaleTargetRef"]["name"] == group
        rendered.one("Deployment", group)
        triggers = scaled["spec"]["triggers"]
        consumed = {route.topic for route in ROUTES if group in route.consumers}
        assert {t["metadata"]["topic"] for t in triggers} == consumed, group
        for trigger in triggers:
            meta = trigger["metadata"]
            assert trigger["type"] == "kafka"
            assert meta["consumerGroup"] == group
            assert meta["bootstrapServers"] == bootstrap
            assert int(meta["lagThreshold"]) > 0
            assert meta["offsetResetPolicy"] == "earliest"
            assert scaled["spec"]["maxReplicaCount"] == partitions[meta["topic"]], group
        assert scaled["spec"]["minReplicaCount"] >= 2


@pytest.mark.parametrize(
    ("overlay", "replicas", "min_insync"), [("small", 1, 1), ("production", 3, 2)]
)
def test_kafka_keeps_what_it_acknowledged(
    overlays: Overlays, overlay: str, replicas: int, min_insync: int
) -> None:
    rendered = overlays[overlay]
    config = rendered.one("Kafka", "smsbus")["spec"]["kafka"]["config"]
    assert (
        config["default.replication.factor"]
        == config["offsets.topic.replication.factor"]
        == replicas
    )
    assert config["min.insync.replicas"] == min_insync
    assert config["auto.create.topics.enable"] is False
    assert config["unclean.leader.election.enable"] is False
    brokers = sum(
        pool["spec"]["replicas"]
        for pool in rendered.of_kind("KafkaNodePool")
        if "broker" in pool["spec"]["roles"]
    )
    assert brokers >= replicas
    for topic in rendered.of_kind("KafkaTopic"):
        spec = topic["spec"]
        assert (spec["replicas"], spec["config"]["min.insync.replicas"]) == (replicas, min_insync)
        # A write acknowledged by min.insync.replicas brokers survives losing all the others.
        assert replicas == 1 or replicas - min_insync >= 1


def test_clients_reach_kafka_and_postgres_by_the_operators_names(overlays: Overlays) -> None:
    for rendered in overlays.values():
        kafka = rendered.one("Kafka", "smsbus")
        (plain,) = [lsn for lsn in kafka["spec"]["kafka"]["listeners"] if lsn["name"] == "plain"]
        settings_map = rendered.config_map("smsbus-settings")["data"]
        assert settings_map["SMSBUS_KAFKA_BOOTSTRAP"] == f"smsbus-kafka-bootstrap:{plain['port']}"
        cluster = rendered.one("Cluster", "smsbus-db")
        initdb = cluster["spec"]["bootstrap"]["initdb"]
        assert (initdb["owner"], initdb["database"]) == ("smsbus", "smsbus")
        for topic in rendered.of_kind("KafkaTopic"):
            assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        for pool in rendered.of_kind("KafkaNodePool"):
            assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]


def test_production_postgres_commits_on_a_standby_too(overlays: Overlays) -> None:
    spec = overlays["production"].one("Cluster", "smsbus-db")["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"]["number"] >= 1
    assert spec["affinity"]["podAntiAffinityType"] == "required"


def test_the_requests_cite_the_capacity_plan() -> None:
    k8s = find_repo_root() / "deploy" / "k8s"
    assert (find_repo_root() / "docs" / "capacity.md").is_file()
    for path in [
        *sorted((k8s / "base" / "services").glob("*.yaml")),
        k8s / "overlays" / "production" / "resources.yaml",
    ]:
        assert "docs/capacity.md" in path.read_text(), path
