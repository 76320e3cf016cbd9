"""reconciler: seen events, runs, outbox"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, create_outbox_table

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_outbox_table()
    op.create_table(
        "seen_events",
        sa.Column("dedupe_key", sa.String(500), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("window_end", TIMESTAMP, nullable=False),
        sa.Column("lines_checked", sa.Integer(), nullable=False),
        sa.Column("conversations_checked", sa.Integer(), nullable=False),
        sa.Column("messages_checked", sa.Integer(), nullable=False),
        sa.Column("calls_checked", sa.Integer(), nullable=False),
        sa.Column("missing", postgresql.JSONB(), nullable=False),
        sa.Column("consumer_lag", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'deferred')", name="runs_status"
        ),
    )
    op.create_index("runs_started_idx", "runs", ["started_at"])
    op.create_index(
        "runs_succeeded_idx",
        "runs",
        ["window_end"],
        postgresql_where=sa.text("status = 'succeeded'"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("seen_events")
    op.drop_index("outbox_pending_idx", table_name="outbox")
    op.drop_table("outbox")
