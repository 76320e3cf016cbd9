from sqlmodel import SQLModel

import smsbus.reconciler.models  # noqa: F401  (registers the tables)
from smsbus.runtime.migrations import run_migrations

run_migrations(schema="reconciler", target_metadata=SQLModel.metadata)
