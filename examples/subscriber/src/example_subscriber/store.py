"""The subscriber's own data: the texts it has seen, and the dedupe keys it has handled.

smsbus delivers at least once: OpenPhone retries a webhook, the reconciler re-creates an event a
webhook lost, an operator replays a window. Every copy of one fact carries the same
`dedupe_key`, so the key is recorded in the same transaction as the effect: a second copy finds
it and changes nothing, and a crash between the two leaves neither.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smsbus.contracts import Envelope, Message

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled (dedupe_key TEXT PRIMARY KEY, event_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (
    message_id TEXT NOT NULL, event_type TEXT NOT NULL, sender TEXT NOT NULL,
    body TEXT NOT NULL, occurred_at TEXT NOT NULL, PRIMARY KEY (message_id, event_type)
);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.executescript(SCHEMA)

    def handle_once(self, event: Envelope[Message]) -> bool:
        """Records the text unless this fact was handled before; True if it was new."""
        with self._db:  # one transaction: the dedupe key and the effect, or neither
            claimed = self._db.execute(
                "INSERT OR IGNORE INTO handled (dedupe_key, event_id) VALUES (?, ?)",
                (event.dedupe_key, event.event_id),
            )
            if claimed.rowcount == 0:
                return False
            message = event.data
            self._db.execute(
                "INSERT INTO texts VALUES (?, ?, ?, ?, ?)",
                (message.id, event.type, message.from_, message.text,
                 event.occurred_at.isoformat()),
            )  # fmt: skip
        return True

    def texts(self) -> list[tuple[str, str, str, str]]:
        """(message id, event type, sender, text) of every fact handled, in order."""
        rows = self._db.execute(
            "SELECT message_id, event_type, sender, body FROM texts ORDER BY rowid"
        )
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    def close(self) -> None:
        self._db.close()
