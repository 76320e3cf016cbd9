"""`python -m smsbus.compliance`: serve on SMSBUS_COMPLIANCE_HOST:SMSBUS_COMPLIANCE_PORT."""

from __future__ import annotations

from smsbus.compliance.app import create_app
from smsbus.compliance.settings import SERVICE, Settings
from smsbus.runtime.serving import serve_from_env


def main() -> None:
    serve_from_env(Settings, create_app, service=SERVICE)


if __name__ == "__main__":
    main()
