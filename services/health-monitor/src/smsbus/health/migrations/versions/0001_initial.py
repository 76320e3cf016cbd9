"""health: canary checks, alerts, inbox/outbox"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, create_runtime_tables, identity_key

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_runtime_tables()
    op.create_table(
        "checks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("trigger", sa.String(10), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("to", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("deadline_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("line_number", sa.String(20), nullable=True),
        sa.Column("send_error", sa.Text(), nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("stage", sa.String(10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("event_type", sa.String(40), nullable=True),
        sa.Column("round_trip_seconds", sa.Float(), nullable=True),
    )
    # At most one pending check, whoever starts it.
    op.create_index(
        "checks_one_pending_idx",
        "checks",
        [sa.text("(true)")],
        unique=True,
        postgresql_where=sa.text("state IN ('sending', 'sent')"),
    )
    op.create_index("checks_created_idx", "checks", ["created_at"])
    op.create_index(
        "checks_finished_idx",
        "checks",
        ["finished_at"],
        postgresql_where=sa.text("state IN ('passed', 'failed')"),
    )
    op.create_table(
        "alerts",
        identity_key(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("check_id", sa.String(36), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index(
        "alerts_due_idx",
        "alerts",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    for table in ("alerts", "checks", "outbox", "processed_events"):
        op.drop_table(table)
