"""`python -m smsbus.campaigns`: serve on SMSBUS_CAMPAIGNS_HOST:SMSBUS_CAMPAIGNS_PORT."""

from __future__ import annotations

from smsbus.campaigns.app import configure, create_app
from smsbus.campaigns.settings import Settings
from smsbus.runtime.serving import serve


def main() -> None:
    settings = Settings()
    configure(settings)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
