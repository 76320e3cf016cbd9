"""`python -m smsbus.compliance`: serve on SMSBUS_COMPLIANCE_HOST:SMSBUS_COMPLIANCE_PORT."""

from __future__ import annotations

from smsbus.compliance.app import configure, create_app
from smsbus.compliance.settings import Settings
from smsbus.runtime.serving import serve


def main() -> None:
    settings = Settings()
    configure(settings)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
