"""`python -m smsbus.reconciler`: serve on SMSBUS_RECONCILER_HOST:SMSBUS_RECONCILER_PORT."""

from __future__ import annotations

from smsbus.reconciler.app import configure, create_app
from smsbus.reconciler.settings import Settings
from smsbus.runtime.serving import serve


def main() -> None:
    settings = Settings()
    configure(settings)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
