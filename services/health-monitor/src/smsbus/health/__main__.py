"""`python -m smsbus.health`: serve on SMSBUS_HEALTH_HOST:SMSBUS_HEALTH_PORT."""

from __future__ import annotations

from smsbus.health.app import configure, create_app
from smsbus.health.settings import Settings
from smsbus.runtime.serving import serve


def main() -> None:
    settings = Settings()
    configure(settings)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
