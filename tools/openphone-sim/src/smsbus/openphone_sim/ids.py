"""Object and event ids with OpenPhone's prefixes, from a seeded generator.

Object ids come from one seeded stream, so the same seed and the same requests give the same
ids. Event and delivery ids are derived from what they are about (a hash of seed and subject),
so they do not depend on the order in which background work happens to run. A `stream` name
keeps two factories with one seed apart (the seeded workspace's and a run's).
"""

from __future__ import annotations

import hashlib
import random
import string

_ALNUM = string.ascii_letters + string.digits


class IdFactory:
    def __init__(self, seed: int, stream: str = "run") -> None:
        self._seed = f"{seed}:{stream}"
        self._random = random.Random(self._seed)

    def _hex(self, digits: int) -> str:
        return f"{self._random.getrandbits(digits * 4):0{digits}x}"

    def _short(self, length: int = 8) -> str:
        return "".join(self._random.choice(_ALNUM) for _ in range(length))

    def activity(self) -> str:
        """Messages and calls share the `AC` prefix."""
        return "AC" + self._hex(32)

    def conversation(self) -> str:
        return "CN" + self._hex(32)

    def phone_number(self) -> str:
        return "PN" + self._short()

    def user(self) -> str:
        return "US" + self._short()

    def webhook(self) -> str:
        return "WH" + self._hex(32)

    def contact(self) -> str:
        """REST contacts have 24 hex digits; their webhooks say `CT` + the same digits."""
        return self._hex(24)

    def recording(self) -> str:
        return "RE" + self._hex(32)

    def signing_key(self) -> bytes:
        return self._random.randbytes(32)

    def derived(self, prefix: str, subject: str, digits: int = 32) -> str:
        digest = hashlib.sha256(f"{self._seed}:{prefix}:{subject}".encode()).hexdigest()
        return prefix + digest[:digits]

    def event(self, subject: str) -> str:
        """`EV` + 32 hex, one per fact (e.g. `<message id>:message.delivered`)."""
        return self.derived("EV", subject)


def webhook_contact_id(rest_contact_id: str) -> str:
    return "CT" + rest_contact_id
