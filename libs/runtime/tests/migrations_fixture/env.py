from smsbus.runtime.migrations import run_migrations

run_migrations(schema="widgets", target_metadata=None)
