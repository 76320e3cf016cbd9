"""Every resource of every overlay validates offline: Kubernetes' own kinds against the API's
schemas (kubernetes-validate, strict: an unknown field fails), the operators' kinds against
their CRDs' OpenAPI schemas (deploy/k8s/vendor/crds, closed the same way)."""

import copy
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from smsbus.cli.stack.config import find_repo_root

Overlays = dict[str, Any]

# The oldest Kubernetes minor the manifests are written for, and the newest the package ships.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
NATIVE_KINDS = {
    "Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job",
    "PodDisruptionBudget", "HorizontalPodAutoscaler",
}  # fmt: skip
CRDS = find_repo_root() / "deploy" / "k8s" / "vendor" / "crds"
CRD_FILES = {
    ("kafka.strimzi.io/v1", "Kafka"): "strimzi-kafka.yaml",
    ("kafka.strimzi.io/v1", "KafkaNodePool"): "strimzi-kafkanodepool.yaml",
    ("kafka.strimzi.io/v1", "KafkaTopic"): "strimzi-kafkatopic.yaml",
    ("postgresql.cnpg.io/v1", "Cluster"): "cnpg-cluster.yaml",
    ("keda.sh/v1alpha1", "ScaledObject"): "keda-scaledobject.yaml",
}


def closed(schema: Any) -> Any:
    """The schema with unknown fields refused wherever the CRD names its fields and does not
    keep unknown ones (the API server would prune them silently; kubectl --validate=strict
    refuses them): a misspelt field fails here instead of vanishing in the cluster."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    return result


@cache
def crd_validator(api_version: str, kind: str) -> jsonschema.Draft4Validator:
    crd = yaml.load((CRDS / CRD_FILES[api_version, kind]).read_text(), Loader=yaml.CSafeLoader)
    assert crd["spec"]["names"]["kind"] == kind
    group, version = api_version.split("/")
    assert crd["spec"]["group"] == group
    served = {v["name"]: v for v in crd["spec"]["versions"] if v["served"]}
    schema = closed(served[version]["schema"]["openAPIV3Schema"])
    return jsonschema.Draft4Validator(schema)


def crd_errors(resource: dict[str, Any]) -> list[str]:
    validator = crd_validator(resource["apiVersion"], resource["kind"])
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(resource)
    ]


def native_error(resource: dict[str, Any], version: str) -> str | None:
    try:
        kubernetes_validate.validate(resource, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{'.'.join(map(str, error.path))}: {error.message}"
    return None


def test_every_resource_is_of_a_kind_validated_here(overlays: Overlays) -> None:
    for rendered in overlays.values():
        for resource in rendered.resources:
            key = resource["apiVersion"], resource["kind"]
            assert resource["kind"] in NATIVE_KINDS or key in CRD_FILES, (rendered.overlay, key)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_resources_validate_against_the_api_schemas(
    overlays: Overlays, version: str
) -> None:
    problems = [
        f"{rendered.overlay} {resource['kind']}/{resource['metadata']['name']}: {error}"
        for rendered in overlays.values()
        for resource in rendered.resources
        if resource["kind"] in NATIVE_KINDS
        and (error := native_error(resource, version)) is not None
    ]
    assert problems == []


def test_operator_resources_validate_against_their_crds(overlays: Overlays) -> None:
    problems = [
        f"{rendered.overlay} {resource['kind']}/{resource['metadata']['name']}: {error}"
        for rendered in overlays.values()
        for resource in rendered.resources
        if resource["kind"] not in NATIVE_KINDS
        for error in crd_errors(resource)
    ]
    assert problems == []


def test_each_overlay_has_every_operator_kind_to_validate(overlays: Overlays) -> None:
    for name in ("small", "production"):
        kinds = {r["kind"] for r in overlays[name].resources}
        assert {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster"} <= kinds
    assert "ScaledObject" in {r["kind"] for r in overlays["production"].resources}


# The validators are only worth something if they refuse: a misspelt field in each family.
def test_a_misspelt_deployment_field_is_refused(overlays: Overlays) -> None:
    deployment = copy.deepcopy(overlays["production"].one("Deployment", "compliance"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenesProbe"] = container.pop("livenessProbe")
    assert native_error(deployment, KUBERNETES_VERSIONS[0]) is not None


@pytest.mark.parametrize(
    ("kind", "name", "path", "wrong"),
    [
        ("KafkaTopic", "openphone.messages.v1", ("spec",), {"partition": 6}),
        ("Kafka", "smsbus", ("spec", "kafka"), {"listeners": [{"name": "plain", "port": 9092}]}),
        ("Cluster", "smsbus-db", ("spec",), {"instances": "three"}),
        ("ScaledObject", "compliance", ("spec",), {"maxReplicas": 12}),
    ],
)
def test_a_wrong_operator_field_is_refused(
    overlays: Overlays, kind: str, name: str, path: tuple[str, ...], wrong: dict[str, Any]
) -> None:
    resource = copy.deepcopy(overlays["production"].one(kind, name))
    target = resource
    for key in path:
        target = target[key]
    target.update(wrong)
    assert crd_errors(resource) != []
