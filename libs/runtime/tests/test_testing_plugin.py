import os
import subprocess
import sys
from pathlib import Path

PROBE = """
def test_needs_kafka(kafka_bootstrap):
    pass

def test_needs_nothing():
    pass
"""


def test_no_stack_and_no_docker_fails_and_says_how_to_start_it(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBUS_")}
    env["DOCKER_HOST"] = f"unix://{tmp_path}/no-docker.sock"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "smsbus.runtime.testing", "-p", "no:cacheprovider",
         "-q", "-rA", str(tmp_path / "test_probe.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 passed, 1 error" in output  # only the test that asked for Kafka needs it
    assert "SMSBUS_KAFKA_BOOTSTRAP" in output
    assert "make up" in output
    assert "./uv run smsbus stack up" in output
    assert "skipped" not in output
