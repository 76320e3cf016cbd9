from sqlmodel import SQLModel

import smsbus.campaigns.models  # noqa: F401  (registers the tables)
from smsbus.runtime.migrations import run_migrations

run_migrations(schema="campaigns", target_metadata=SQLModel.metadata)
