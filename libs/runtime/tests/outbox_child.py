"""Run as a child process by test_outbox: commit a row + its outbox entry, roll another back,
then die with SIGKILL before any relay ran."""

import asyncio
import os
import signal
import sys

from sqlalchemy import text

from smsbus.contracts import decode_event
from smsbus.runtime.db import make_engine, make_sessions
from smsbus.runtime.outbox import add_to_outbox


class Abort(Exception):
    pass


async def main(database_url: str, schema: str, topic: str, committed: str, rolled: str) -> None:
    engine = make_engine(database_url, schema=schema)
    sessions = make_sessions(engine)
    async with sessions() as session:
        async with session.begin():
            await (await session.connection()).execute(text("INSERT INTO widgets VALUES ('ok')"))
            await add_to_outbox(session, decode_event(committed), topic=topic)
        try:
            async with session.begin():
                connection = await session.connection()
                await connection.execute(text("INSERT INTO widgets VALUES ('rolled back')"))
                await add_to_outbox(session, decode_event(rolled), topic=topic)
                raise Abort
        except Abort:
            pass
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
