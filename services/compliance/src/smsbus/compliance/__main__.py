"""`python -m smsbus.compliance`: serve on SMSBUS_COMPLIANCE_HOST:SMSBUS_COMPLIANCE_PORT."""

from __future__ import annotations

import uvicorn

from smsbus.compliance.app import configure, create_app
from smsbus.compliance.settings import Settings


def main() -> None:
    settings = Settings()
    configure(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,  # keep the JSON logging configured above
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
