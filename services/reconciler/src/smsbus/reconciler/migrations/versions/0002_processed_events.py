"""reconciler: the runtime's inbox (the consumer claims each batch's events in it)"""

from alembic import op

from smsbus.runtime.migrations import create_inbox_table

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_inbox_table()


def downgrade() -> None:
    op.drop_table("processed_events")
