"""`python -m smsbus.health`: serve on SMSBUS_HEALTH_HOST:SMSBUS_HEALTH_PORT."""

from __future__ import annotations

from smsbus.health.app import create_app
from smsbus.health.settings import SERVICE, Settings
from smsbus.runtime.serving import serve_from_env


def main() -> None:
    serve_from_env(Settings, create_app, service=SERVICE)


if __name__ == "__main__":
    main()
