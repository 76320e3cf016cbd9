"""Run as a child process by test_consumer: handle one batch, then die with SIGKILL right after
its transaction committed and before its offsets were committed."""

import asyncio
import os
import signal
import sys

from sqlalchemy import text

from smsbus.contracts import Contact, Envelope
from smsbus.runtime.db import make_engine
from smsbus.runtime.kafka import make_broker
from smsbus.runtime.routes import Unit
from smsbus.runtime.testing_kafka import topic_consumer


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def handle(event: Envelope[Contact], unit: Unit) -> None:
    connection = await unit.session.connection()
    await connection.execute(
        text("INSERT INTO effects (event_id) VALUES (:id)"), {"id": event.event_id}
    )
    if event.data.first_name == "v5":
        unit.after_commit(die)


async def main(bootstrap: str, database_url: str, schema: str, topic: str, group: str) -> None:
    engine = make_engine(database_url, schema=schema)
    consumer = topic_consumer(
        bootstrap=bootstrap, group=group, topic=topic, routes={"contact.updated": handle},
        engine=engine, broker=make_broker(bootstrap, client_id="consumer-child"),
    )  # fmt: skip
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
