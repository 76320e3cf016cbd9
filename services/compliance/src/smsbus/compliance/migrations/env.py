from sqlmodel import SQLModel

import smsbus.compliance.models  # noqa: F401  (registers the tables)
from smsbus.runtime.migrations import run_migrations

run_migrations(schema="compliance", target_metadata=SQLModel.metadata)
