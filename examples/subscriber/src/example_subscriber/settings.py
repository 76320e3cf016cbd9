"""Where the broker is, which topic and consumer group, where the subscriber keeps its data."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUBSCRIBER_")

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic: str = "openphone.messages.v1"
    group_id: str = "example-subscriber"
    """Your own consumer group: Kafka keeps your place in the topic under it."""
    database: Path = Path("subscriber.sqlite3")
