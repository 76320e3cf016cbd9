"""`python -m smsbus.campaigns`: serve on SMSBUS_CAMPAIGNS_HOST:SMSBUS_CAMPAIGNS_PORT."""

from __future__ import annotations

from smsbus.campaigns.app import create_app
from smsbus.campaigns.settings import SERVICE, Settings
from smsbus.runtime.serving import serve_from_env


def main() -> None:
    serve_from_env(Settings, create_app, service=SERVICE)


if __name__ == "__main__":
    main()
