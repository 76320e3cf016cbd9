"""`python -m smsbus.campaigns`: serve on SMSBUS_CAMPAIGNS_HOST:SMSBUS_CAMPAIGNS_PORT."""

from __future__ import annotations

import uvicorn

from smsbus.campaigns.app import configure, create_app
from smsbus.campaigns.settings import Settings


def main() -> None:
    settings = Settings()
    configure(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
