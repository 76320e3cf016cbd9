"""`python -m example_subscriber`: runs until Ctrl-C."""

import asyncio
import logging

from example_subscriber.app import create_app
from example_subscriber.settings import Settings
from example_subscriber.store import Store


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = Settings()
    store = Store(settings.database)
    try:
        asyncio.run(create_app(settings, store).run())
    finally:
        store.close()


if __name__ == "__main__":
    main()
