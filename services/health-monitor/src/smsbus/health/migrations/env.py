from sqlmodel import SQLModel

import smsbus.health.models  # noqa: F401  (registers the tables)
from smsbus.runtime.migrations import run_migrations

run_migrations(schema="health", target_metadata=SQLModel.metadata)
