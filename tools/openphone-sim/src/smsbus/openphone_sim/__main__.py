"""`python -m smsbus.openphone_sim`: the simulator on SMSBUS_SIM_PORT (8090)."""

from __future__ import annotations

import uvicorn

from smsbus.openphone_sim.app import create_app
from smsbus.openphone_sim.settings import SimSettings
from smsbus.runtime.logging import configure_logging


def main() -> None:
    settings = SimSettings()
    configure_logging(service="openphone-sim", level=settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
