"""Where the stack's configuration comes from: environment over .env over local defaults."""

from pathlib import Path

from smsbus.cli.stack.config import LOCAL_SIGNING_KEY, StackConfig, find_repo_root


def _config(tmp_path: Path, environ: dict[str, str], dotenv: str = "") -> StackConfig:
    (tmp_path / ".env").write_text(dotenv)
    return StackConfig.load(tmp_path, environ)


def test_local_defaults_run_everything_here(tmp_path: Path) -> None:
    config = _config(tmp_path, {})

    assert config.kafka_bootstrap == "127.0.0.1:9092"
    assert config.database_url == "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus"
    assert not config.kafka_external
    assert not config.postgres_external
    assert config.state_dir == (tmp_path / ".smsbus").resolve()
    assert config.topic_partitions == 6
    child = config.child_environment()
    assert child["SMSBUS_INGEST_SIGNING_KEYS"] == LOCAL_SIGNING_KEY
    assert child["SMSBUS_OPENPHONE_BASE_URL"] == "http://127.0.0.1:8090"
    assert child["SMSBUS_SIM_WEBHOOK_URLS"] == "http://127.0.0.1:8080/webhooks/openphone"


def test_every_stack_start_gives_the_simulator_a_new_run_seed_unless_one_is_set(
    tmp_path: Path,
) -> None:
    seeds = {_config(tmp_path, {}).child_environment()["SMSBUS_SIM_RUN_SEED"] for _ in range(5)}
    pinned = _config(tmp_path, {"SMSBUS_SIM_RUN_SEED": "7"}).child_environment()

    assert len(seeds) == 5
    assert pinned["SMSBUS_SIM_RUN_SEED"] == "7"


def test_moved_ports_move_the_urls_that_name_them(tmp_path: Path) -> None:
    moved = {
        "SMSBUS_SIM_PORT": "18090",
        "SMSBUS_INGEST_PORT": "18080",
        "SMSBUS_COMPLIANCE_PORT": "18081",
    }
    child = _config(tmp_path, moved).child_environment()

    assert child["SMSBUS_OPENPHONE_BASE_URL"] == "http://127.0.0.1:18090"
    assert child["SMSBUS_SIM_WEBHOOK_URLS"] == "http://127.0.0.1:18080/webhooks/openphone"
    assert child["SMSBUS_CAMPAIGNS_COMPLIANCE_URL"] == "http://127.0.0.1:18081"


def test_dotenv_configures_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = "SMSBUS_KAFKA_PORT=19092\nSMSBUS_TOPIC_PARTITIONS=3\nSMSBUS_POSTGRES_PORT=15432\n"
    config = _config(tmp_path, {"SMSBUS_TOPIC_PARTITIONS": "12"}, dotenv)

    assert config.kafka_bootstrap == "127.0.0.1:19092"
    assert config.database_url.endswith("@127.0.0.1:15432/smsbus")
    assert config.topic_partitions == 12


def test_servers_named_by_the_user_are_external(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        {
            "SMSBUS_KAFKA_BOOTSTRAP": "broker.internal:9092",
            "SMSBUS_DATABASE_URL": "postgresql+asyncpg://u:p@db.internal/x",
            "SMSBUS_INGEST_SIGNING_KEYS": "whsec_b3duLWtleQ==",
        },
    )

    assert config.kafka_external
    assert config.postgres_external
    child = config.child_environment()
    assert child["SMSBUS_KAFKA_BOOTSTRAP"] == "broker.internal:9092"
    assert child["SMSBUS_DATABASE_URL"] == "postgresql+asyncpg://u:p@db.internal/x"
    assert child["SMSBUS_INGEST_SIGNING_KEYS"] == "whsec_b3duLWtleQ=="


def test_the_repo_root_is_found_from_a_subdirectory() -> None:
    root = find_repo_root(Path(__file__).parent)
    assert (root / "Makefile").exists()
    assert (root / "deploy/kafka/pom.xml").exists()
