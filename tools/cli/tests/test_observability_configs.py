"""deploy/prometheus and deploy/grafana agree with docker-compose.yml and with what the
services really expose on /metrics (DESIGN.md §9).

The exposed names come from the services themselves: each app is built as in production but
without its lifespan (no broker, no database), and GET /metrics is read. A labelled metric with
no samples yet still has its `# TYPE` line there.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic_settings import BaseSettings

from smsbus.campaigns.app import create_app as campaigns_app
from smsbus.campaigns.settings import Settings as CampaignsSettings
from smsbus.compliance.app import create_app as compliance_app
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.health.app import create_app as health_app
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.app import create_app as ingest_app
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.openphone_sim.app import create_app as sim_app
from smsbus.openphone_sim.settings import SimSettings
from smsbus.reconciler.app import create_app as reconciler_app
from smsbus.reconciler.settings import Settings as ReconcilerSettings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
PROMETHEUS_DIR = ROOT / "deploy/prometheus"
PROMETHEUS = PROMETHEUS_DIR / "prometheus.yml"
RULES_DIR = PROMETHEUS_DIR / "rules"
RULE_TESTS_DIR = PROMETHEUS_DIR / "tests"
GRAFANA_PROVISIONING = ROOT / "deploy/grafana/provisioning"
DATASOURCES = GRAFANA_PROVISIONING / "datasources/prometheus.yml"
PROVIDERS = GRAFANA_PROVISIONING / "dashboards/smsbus.yml"
DASHBOARDS = ROOT / "deploy/grafana/dashboards"
ALERTMANAGER_DIR = ROOT / "deploy/alertmanager"
ALERTMANAGER = ALERTMANAGER_DIR / "alertmanager.yml"

API_KEY = "observability-test-api-key"
SIGNING_KEY = "c21zYnVzLWxvY2FsLWRldmVsb3BtZW50LW9ubHktMDA="

# Every service Prometheus scrapes, by its docker-compose name (= job name): how to build its
# app, and its Settings class, whose default port the scrape target must use. A new service
# adds a line here with its compose service and scrape job.
SERVICES: dict[str, tuple[Callable[[], FastAPI], type[BaseSettings]]] = {
    "ingest-webhooks": (lambda: ingest_app(IngestSettings(signing_keys=SIGNING_KEY)), IngestSettings),
    "compliance": (lambda: compliance_app(ComplianceSettings(openphone_api_key=API_KEY)), ComplianceSettings),
    "campaign-engine": (lambda: campaigns_app(CampaignsSettings(openphone_api_key=API_KEY)), CampaignsSettings),
    "reconciler": (lambda: reconciler_app(ReconcilerSettings(openphone_api_key=API_KEY)), ReconcilerSettings),
    "health-monitor": (lambda: health_app(HealthSettings(openphone_api_key=API_KEY)), HealthSettings),
    "openphone-sim": (lambda: sim_app(SimSettings()), SimSettings),
}  # fmt: skip
SEVERITIES = {"critical", "warning", "info"}

# The sample names each metric type exposes (a counter's TYPE line may or may not carry _total).
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "untyped": ("",),
    "unknown": ("",),
}


# --- what the files say


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _compose_services() -> dict[str, Any]:
    services: dict[str, Any] = _load(COMPOSE)["services"]
    return services


def _container_ports(service: dict[str, Any]) -> set[int]:
    """`"127.0.0.1:8080:8080"` → 8080: the port inside the compose network."""
    return {int(str(entry).rsplit(":", 1)[-1].split("/")[0]) for entry in service.get("ports", [])}


def _mounts(service: dict[str, Any]) -> dict[Path, str]:
    """Host directory (resolved) → where the container sees it."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *_ = str(volume).split(":")
        if source.startswith("."):
            mounts[(ROOT / source).resolve()] = target
    return mounts


def _scrape_targets() -> dict[str, list[tuple[str, int]]]:
    jobs: dict[str, list[tuple[str, int]]] = {}
    for job in _load(PROMETHEUS)["scrape_configs"]:
        assert job["job_name"] not in jobs, f"job {job['job_name']} is defined twice"
        targets = [t for static in job.get("static_configs", []) for t in static["targets"]]
        jobs[job["job_name"]] = [(t.rsplit(":", 1)[0], int(t.rsplit(":", 1)[1])) for t in targets]
    return jobs


def _rules() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in _load(path)["groups"]:
            for rule in group["rules"]:
                yield path, rule


def _dashboards() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(DASHBOARDS.glob("*.json")):
        yield path, json.loads(path.read_text())


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows included."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _rule_tests() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(RULE_TESTS_DIR.glob("*.yml")):
        yield path, _load(path)


def _queries() -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every rule, every dashboard query and every series in the rules'
    unit tests (promtool test rules)."""
    for path, rule in _rules():
        yield f"{path.name} {rule.get('alert') or rule['record']}", rule["expr"]
    for path, suite in _rule_tests():
        for case in suite["tests"]:
            where = f"{path.name} {case['name']!r}"
            for series in case.get("input_series", []):
                yield where, series["series"]
            for test in case.get("promql_expr_test", []):
                yield where, test["expr"]
                yield from ((where, sample["labels"]) for sample in test.get("exp_samples", []))
    for path, dashboard in _dashboards():
        for panel in _panels(dashboard["panels"]):
            for target in panel.get("targets", []):
                where = (
                    f"{path.name} panel {panel['id']} ({panel['title']!r}) query {target['refId']}"
                )
                yield where, target["expr"]


def _datasource_uid() -> str:
    (datasource,) = _load(DATASOURCES)["datasources"]
    uid: str = datasource["uid"]
    return uid


_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`""")
_IDENTIFIER = re.compile(r"(?<![\w:.$])[a-zA-Z_][\w:]*")


def _names(expr: str) -> set[str]:
    """Metric and recording-rule names in a PromQL expression (string literals removed; label
    names and functions come along and are told apart by the caller)."""
    return set(_IDENTIFIER.findall(_STRING.sub('""', expr)))


# --- what the services expose


def _sample_names(exposition: str) -> set[str]:
    names = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split()
            base = family.removesuffix("_total") if kind == "counter" else family
            names.update(base + suffix for suffix in SAMPLE_SUFFIXES[kind])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


async def _get_metrics(build: Callable[[], FastAPI], *first: str) -> httpx.Response:
    """GET /metrics, after GET on each of `first`."""
    # ASGITransport sends no lifespan events, so the broker and the database are never touched.
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        for path in first:
            await client.get(path)
        return await client.get("/metrics")


@pytest.fixture(scope="module")
def exposed() -> set[str]:
    names: set[str] = set()
    for service, (build, _) in SERVICES.items():
        response = asyncio.run(_get_metrics(build))
        assert response.status_code == 200, (
            f"{service}: GET /metrics answered {response.status_code}"
        )
        found = _sample_names(response.text)
        assert any(name.startswith("smsbus_") for name in found), (
            f"{service} exposes no smsbus_ metric"
        )
        names |= found
    return names


# --- the tests


def test_every_service_is_scraped_by_its_compose_name_on_its_port() -> None:
    compose = _compose_services()
    jobs = _scrape_targets()
    for job, targets in jobs.items():
        assert targets, f"scrape job {job} has no targets"
        for host, port in targets:
            assert host == job, f"job {job} scrapes {host}: name each job after its compose service"
            assert host in compose, (
                f"job {job} scrapes {host}, which is not a docker-compose service"
            )
            ports = _container_ports(compose[host])
            assert port in ports, (
                f"job {job} scrapes port {port}; compose gives {host} {sorted(ports)}"
            )
    ours = {name for name, service in compose.items() if "build" in service and "ports" in service}
    assert ours <= jobs.keys(), f"compose services nobody scrapes: {sorted(ours - jobs.keys())}"
    assert jobs.keys() - {"prometheus"} == SERVICES.keys(), (
        "every scraped service needs a line in SERVICES (how to read its metric names), and back"
    )
    for service, (_, settings) in SERVICES.items():
        default = settings.model_fields["port"].default
        assert jobs[service] == [(service, default)], f"{service} listens on {default} by default"


def test_prometheus_loads_the_rules_and_grafana_the_files_compose_mounts() -> None:
    config = _load(PROMETHEUS)
    assert config["global"]["scrape_interval"] == "15s"
    loaded = {path for pattern in config["rule_files"] for path in PROMETHEUS_DIR.glob(pattern)}
    assert loaded == set(RULES_DIR.glob("*.yml")), "rule_files must load every file in rules/"
    for path, suite in _rule_tests():
        tested = {(path.parent / name).resolve() for name in suite["rule_files"]}
        assert tested == loaded, f"{path.name} must test the rules Prometheus loads"

    compose = _compose_services()
    prometheus = compose["prometheus"]
    assert _mounts(prometheus)[PROMETHEUS_DIR] == "/etc/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]

    grafana = _mounts(compose["grafana"])
    assert grafana[GRAFANA_PROVISIONING] == "/etc/grafana/provisioning"
    (provider,) = _load(PROVIDERS)["providers"]
    assert provider["type"] == "file"
    assert grafana[DASHBOARDS] == provider["options"]["path"]

    (datasource,) = _load(DATASOURCES)["datasources"]
    (port,) = _container_ports(prometheus)
    assert datasource["url"] == f"http://prometheus:{port}"
    assert datasource["jsonData"]["timeInterval"] == config["global"]["scrape_interval"]


def test_every_alert_says_how_bad_it_is_and_what_to_do() -> None:
    alerts = [(path, rule) for path, rule in _rules() if "alert" in rule]
    assert alerts
    names = [rule["alert"] for _, rule in alerts]
    assert len(names) == len(set(names)), f"alert names repeat: {sorted(names)}"
    for path, rule in alerts:
        where = f"{path.name} {rule['alert']}"
        assert re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))), f"{where}: no `for:`"
        assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{where}: severity?"
        annotations = rule.get("annotations", {})
        for key in ("summary", "description"):
            assert str(annotations.get(key, "")).strip(), f"{where}: no {key} annotation"


def test_queries_name_only_metrics_the_services_expose(exposed: set[str]) -> None:
    recorded = {rule["record"] for _, rule in _rules() if "record" in rule}
    problems = []
    checked = 0
    for where, expr in _queries():
        for name in sorted(_names(expr)):
            if ":" in name and name not in recorded:
                problems.append(f"{where}: recording rule {name} is not defined")
            elif name.startswith("smsbus_") and ":" not in name:
                checked += 1
                if name not in exposed:
                    close = difflib.get_close_matches(name, exposed, n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    problems.append(f"{where}: {name} is not exposed by any service{hint}")
    assert checked, "no smsbus_ metric found in any query: is the name extraction broken?"
    assert not problems, "\n".join(problems)


def test_dashboards_use_the_provisioned_datasource_and_unique_panel_ids() -> None:
    uid = _datasource_uid()
    dashboards = list(_dashboards())
    assert dashboards
    uids = [dashboard.get("uid") for _, dashboard in dashboards]
    assert all(uids), f"every dashboard needs a uid: {uids}"
    assert len(uids) == len(set(uids)), f"dashboard uids repeat: {uids}"
    for path, dashboard in dashboards:
        assert dashboard["schemaVersion"] >= 39, path.name
        panels = list(_panels(dashboard["panels"]))
        ids = [panel["id"] for panel in panels]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert not repeated, f"{path.name}: panel ids repeat: {repeated}"
        for panel in panels:
            if panel["type"] == "row":
                continue
            where = f"{path.name} panel {panel['id']} ({panel['title']!r})"
            assert panel["datasource"]["uid"] == uid, f"{where}: datasource is not {uid}"
            assert panel.get("targets"), f"{where}: no query"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == uid, f"{where}: query datasource is not {uid}"
                assert target["expr"].strip(), f"{where}: empty query"
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, f"{where}: wider than the dashboard"


def test_every_service_counts_its_requests_by_route_template() -> None:
    for service, (build, _) in SERVICES.items():
        if service == "openphone-sim":
            continue  # a stand-in for OpenPhone, not ours to watch
        exposition = asyncio.run(_get_metrics(build, "/healthz", "/no/such/+14155550123")).text
        expected = {("GET", "/healthz", "200"): 1.0, ("GET", "unmatched", "404"): 1.0}
        if service == "ingest-webhooks":
            # The webhook skips the app's middleware (its fast path) and is measured apart.
            exposition = asyncio.run(_post_unsigned_webhook(build)).text
            expected[("POST", "/webhooks/openphone", "401")] = 1.0
        counted = {
            (sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
            for family in text_string_to_metric_families(exposition)
            if family.name.endswith("_http_requests")
            for sample in family.samples
            if sample.name.endswith("_total")
        }
        assert counted == expected, service


async def _post_unsigned_webhook(build: Callable[[], FastAPI]) -> httpx.Response:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        await client.get("/healthz")
        await client.get("/no/such/+14155550123")
        assert (await client.post("/webhooks/openphone", content=b"{}")).status_code == 401
        return await client.get("/metrics")


def _alert_names() -> list[str]:
    return [rule["alert"] for _, rule in _rules() if "alert" in rule]


def test_every_alert_has_a_promtool_case_where_it_fires_and_one_where_it_does_not() -> None:
    """`promtool test rules` (make check-monitoring) runs the cases; this says they exist: a
    firing ALERTS sample, and an evaluation of the alert that expects it absent."""
    alerts = _alert_names()
    fires, quiet = set(), set()
    for _, suite in _rule_tests():
        for case in suite["tests"]:
            for test in case.get("promql_expr_test", []):
                selected = re.search(r"ALERTS\{([^}]*)\}", test["expr"])
                if selected is None:
                    continue
                names = set()
                for operator, value in re.findall(r'alertname(=~?)"([^"]+)"', selected[1]):
                    names |= {a for a in alerts if re.fullmatch(value, a) or a == value}
                    if operator == "=" and value not in alerts:
                        names.add(value)  # a case for an alert that no longer exists
                expected = set()
                for sample in test.get("exp_samples", []):
                    (name,) = re.findall(r'alertname="([^"]+)"', sample["labels"])
                    expected.add(name)
                    if 'alertstate="firing"' in sample["labels"]:
                        fires.add(name)
                quiet |= names - expected
    assert not set(alerts) - fires, f"no case where these fire: {sorted(set(alerts) - fires)}"
    assert not set(alerts) - quiet, f"no case where these stay quiet: {sorted(set(alerts) - quiet)}"
    assert not (fires | quiet) - set(alerts), (
        f"cases of no alert: {sorted((fires | quiet) - set(alerts))}"
    )


def test_alerts_go_to_alertmanager_and_on_to_the_health_monitor() -> None:
    compose = _compose_services()
    (manager,) = [
        t
        for a in _load(PROMETHEUS)["alerting"]["alertmanagers"]
        for s in a["static_configs"]
        for t in s["targets"]
    ]
    host, port = manager.rsplit(":", 1)
    assert int(port) in _container_ports(compose[host]), f"{manager} is not what compose runs"
    alertmanager = compose[host]
    assert _mounts(alertmanager)[ALERTMANAGER_DIR] == "/etc/alertmanager"
    assert "--config.file=/etc/alertmanager/alertmanager.yml" in alertmanager["command"]

    config = _load(ALERTMANAGER)
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    assert {route["receiver"] for route in routes} == receivers.keys(), "a receiver unused?"
    webhooks = [w for r in receivers.values() for w in r.get("webhook_configs", [])]
    assert webhooks
    assert all(w["send_resolved"] for w in webhooks)
    health = HealthSettings.model_fields["port"].default
    for webhook in webhooks:
        assert webhook["url"] == f"http://health-monitor:{health}/alerts/alertmanager"
        assert health in _container_ports(compose["health-monitor"])
        token = webhook["http_config"]["authorization"]["credentials"]
        assert token in compose_placeholder_tokens(), "the token compose gives the services"
    assert any("email_configs" in r for r in receivers.values())
    # Alerts about the monitor's own absence or its failing deliveries cannot go through it.
    by_alert = {tuple(sorted(route.get("matchers", []))): route["receiver"] for route in routes[1:]}
    for matchers, receiver in by_alert.items():
        if any("TargetDown" in m or "AlertsUndelivered" in m for m in matchers):
            assert "webhook_configs" not in receivers[receiver], matchers
    assert set(_alert_names()) >= {"TargetDown", "AlertsUndelivered"}


def compose_placeholder_tokens() -> set[str]:
    """The tokens of docker-compose.yml's default SMSBUS_API_TOKENS (`name:token:scopes,…`)."""
    tokens = _load(COMPOSE)["x-smsbus-env"]["SMSBUS_API_TOKENS"]
    default = re.fullmatch(r"\$\{SMSBUS_API_TOKENS:-(.*)\}", tokens)
    assert default is not None, tokens
    return {entry.split(":")[1] for entry in default[1].split(",")}


def test_every_panel_filters_on_the_service_variable() -> None:
    for path, dashboard in _dashboards():
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        assert variables["service"]["query"]["query"].startswith("label_values(up"), path.name
        for panel in _panels(dashboard["panels"]):
            for target in panel.get("targets", []):
                unscoped = [
                    selector
                    for selector in _SELECTOR.findall(_STRING.sub('""', target["expr"]))
                    if 'job=~""' not in selector
                ]
                where = f"{path.name} panel {panel['id']} ({panel['title']!r})"
                assert not unscoped, f"{where}: {unscoped} ignore $service"


# A metric selector: an smsbus_ metric or `up`, with its braces if any (not a function call).
_SELECTOR = re.compile(r"\b(?:smsbus_\w+|up)\b(?:\{[^}]*\})?(?!\s*\()")


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'sum by (outcome) (rate(smsbus_ingest_webhooks_total{outcome="x"}[5m]))',
            {"smsbus_ingest_webhooks_total"},
        ),
        (
            "a:smsbus_x:rate5m > 0 or smsbus_y_bucket[$__rate_interval]",
            {"a:smsbus_x:rate5m", "smsbus_y_bucket"},
        ),
        ('up{job="smsbus_not_a_metric"} == 0', set()),
    ],
)
def test_names_are_found_in_promql(expr: str, names: set[str]) -> None:
    assert {name for name in _names(expr) if "smsbus" in name} == names
