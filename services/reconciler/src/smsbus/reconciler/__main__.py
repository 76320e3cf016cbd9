"""`python -m smsbus.reconciler`: serve on SMSBUS_RECONCILER_HOST:SMSBUS_RECONCILER_PORT."""

from __future__ import annotations

from smsbus.reconciler.app import create_app
from smsbus.reconciler.settings import SERVICE, Settings
from smsbus.runtime.serving import serve_from_env


def main() -> None:
    serve_from_env(Settings, create_app, service=SERVICE)


if __name__ == "__main__":
    main()
