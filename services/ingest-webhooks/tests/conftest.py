"""The integration harness: ingest under uvicorn on loopback, on topics of its own, fixed clock.

The plugin's global log check (runtime/testing.py) also looks for this suite's signing keys.
"""

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from aiokafka import ConsumerRecord

from smsbus.ingest.settings import Settings
from smsbus.ingest.testing import read_topics, running_ingest, signed
from smsbus.openphone.signing import SigningKey
from smsbus.runtime.testing import RegistryTopics

FIXED_NOW = 1_744_650_000.25  # 2025-04-14T17:00:00.250Z
KEY_TEXT = "c21zYnVzLWluZ2VzdC10ZXN0LWtleS1udW1iZXItMDE="
ROTATED_KEY_TEXT = "c21zYnVzLWluZ2VzdC10ZXN0LWtleS1udW1iZXItMDI="
STANDARD_KEY_TEXT = "whsec_c21zYnVzLWluZ2VzdC1zdGFuZGFyZC13ZWJob29rcw=="
SIGNING_KEYS = f"{KEY_TEXT},{ROTATED_KEY_TEXT},{STANDARD_KEY_TEXT}"
KEYS = {
    "current": SigningKey.parse(KEY_TEXT),
    "rotated": SigningKey.parse(ROTATED_KEY_TEXT),
    "standard": SigningKey.parse(STANDARD_KEY_TEXT),
    "unknown": SigningKey.parse("c29tZS1vdGhlci13b3Jrc3BhY2Uncy1rZXktMTIzNDU="),
}
SECRETS = (KEY_TEXT, ROTATED_KEY_TEXT, STANDARD_KEY_TEXT.removeprefix("whsec_"))


@dataclass
class IngestUnderTest:
    client: httpx.AsyncClient
    bootstrap: str
    topics: dict[str, str]
    """Registry topic → this test's topic."""

    now: float = FIXED_NOW

    def sign(
        self,
        body: bytes,
        *,
        key: str = "current",
        age: float = 0.0,
        content_type: str = "application/json",
    ) -> dict[str, str]:
        """Headers signing `body` `age` seconds ago; the "standard" key signs Standard Webhooks."""
        return signed(
            body,
            KEYS[key],
            now=self.now - age,
            standard=key == "standard",
            content_type=content_type,
        )

    async def post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post("/webhooks/openphone", content=body, headers=headers)

    async def published(self) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
        """What reached each topic, keyed by the registry's topic name."""
        found = await read_topics(self.bootstrap, self.topics.values())
        return {registry: found[ours] for registry, ours in self.topics.items()}


def ingest_settings(bootstrap: str, topics: dict[str, str], **overrides: object) -> Settings:
    return Settings(
        **{
            "signing_keys": SIGNING_KEYS,
            "kafka_bootstrap": bootstrap,
            "topic_overrides": topics,
            **overrides,
        }
    )


@pytest.fixture
def make_settings():
    """`make_settings(bootstrap, **overrides)`: Settings with the test keys."""

    def make(bootstrap: str, **overrides: object) -> Settings:
        return ingest_settings(bootstrap, overrides.pop("topic_overrides", {}), **overrides)

    return make


@pytest.fixture
def signer():
    """`signer(body)`: headers signing `body` now with the current key (real clock)."""
    return lambda body: signed(body, KEYS["current"], now=time.time())


@pytest.fixture
def log_secrets() -> tuple[str, ...]:
    return SECRETS


@pytest.fixture
async def isolated_topics(registry_topics: RegistryTopics) -> dict[str, str]:
    return await registry_topics(partitions=3)


@pytest.fixture
async def ingest(
    kafka_bootstrap: str, isolated_topics: dict[str, str]
) -> AsyncIterator[IngestUnderTest]:
    settings = ingest_settings(kafka_bootstrap, isolated_topics)
    async with (
        running_ingest(settings, clock=lambda: FIXED_NOW) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
    ):
        yield IngestUnderTest(client=client, bootstrap=kafka_bootstrap, topics=isolated_topics)
