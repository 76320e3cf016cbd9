"""compliance: the egress (outbound_messages, egress_line_days); reply intents move into it"""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("purpose", sa.String(30), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("requester", sa.String(60), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=True),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("send_window", postgresql.JSONB(), nullable=True),
        sa.Column("recipient_state", sa.String(2), nullable=True),
        sa.Column("trigger_message_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("send_started_at", TIMESTAMP, nullable=True),
        sa.Column("checked_at", TIMESTAMP, nullable=True),
        sa.Column("consent", sa.String(40), nullable=True),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("recovered", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
    )
    op.create_index(
        "outbound_messages_due_idx",
        "outbound_messages",
        ["priority", "next_attempt_at"],
        postgresql_where=sa.text("status IN ('pending', 'held', 'sending')"),
    )
    op.create_index("outbound_messages_phone_idx", "outbound_messages", ["phone", "requested_at"])
    op.create_table(
        "egress_line_days",
        sa.Column("line", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
    )
    # Replies decided before the egress keep their history and, if still open, are sent by it.
    op.execute(
        """
        INSERT INTO outbound_messages (
          id, purpose, priority, requester, phone, line, text, trigger_message_id, status,
          requested_at, next_attempt_at, attempts, send_started_at, message_id, sent_at,
          recovered, reason, last_error, finished_at)
        SELECT id, kind, CASE WHEN kind = 'help' THEN 1 ELSE 0 END, 'compliance', phone, line,
               text, trigger_message_id,
               CASE status WHEN 'cancelled' THEN 'refused' ELSE status END,
               created_at, next_attempt_at, attempts, send_started_at, openphone_message_id,
               sent_at, false,
               CASE status WHEN 'cancelled' THEN 'opted_out'
                           WHEN 'failed' THEN last_error END,
               last_error,
               CASE WHEN status IN ('sent', 'failed', 'cancelled')
                    THEN coalesce(sent_at, created_at) END
        FROM reply_intents
        """
    )
    op.drop_table("reply_intents")


def downgrade() -> None:
    # reply_intents comes back as revision 0001 created it, by 0001's own definition.
    initial = context.script.get_revision("0001")
    assert initial is not None
    initial.module.create_reply_intents()
    op.drop_table("egress_line_days")
    op.drop_table("outbound_messages")
