"""`python -m smsbus.compliance`: serve on SMSBUS_COMPLIANCE_HOST:SMSBUS_COMPLIANCE_PORT."""

from __future__ import annotations

import uvicorn

from smsbus.compliance.app import configure, create_app
from smsbus.compliance.settings import Settings
from smsbus.runtime.heap import settle_startup_heap


def main() -> None:
    settings = Settings()
    configure(settings)
    app = create_app(settings)
    settle_startup_heap()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,  # keep the JSON logging configured above
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
