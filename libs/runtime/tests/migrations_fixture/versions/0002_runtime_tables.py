"""the runtime's inbox and outbox tables"""

from alembic import op

from smsbus.runtime.migrations import create_runtime_tables

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_runtime_tables()


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("processed_events")
