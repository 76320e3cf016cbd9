"""campaign-engine: contacts, lists, campaigns, members, limits, suppressions, parked statuses,
inbox and outbox.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, create_runtime_tables

revision = "0001"
down_revision = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "campaign_days",
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "day"),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("line", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("variants", _JSON, nullable=False),
        sa.Column("daily_limit", sa.Integer(), nullable=True),
        sa.Column("line_segment_budget", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("window_days", _JSON, nullable=False),
        sa.Column("window_start", sa.String(length=5), nullable=False),
        sa.Column("window_end", sa.String(length=5), nullable=False),
        sa.Column("min_gap_days", sa.Float(), nullable=True),
        sa.Column("min_sample", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("openphone_id", sa.String(length=64), nullable=True),
        sa.Column("office_number", sa.Boolean(), nullable=False),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("recently_texted_until", TIMESTAMP, nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("openphone_id"),
        sa.UniqueConstraint("phone"),
    )
    op.create_table(
        "line_days",
        sa.Column("line", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("capped_until", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("line", "day"),
    )
    op.create_table(
        "list_contacts",
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "contact_id"),
    )
    op.create_table(
        "lists",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filter", _JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("lease_until", TIMESTAMP, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("encoding", sa.String(length=8), nullable=True),
        sa.Column("intent_at", TIMESTAMP, nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("recovered", sa.Boolean(), nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.Column("failed_at", TIMESTAMP, nullable=True),
        sa.Column("responded_at", TIMESTAMP, nullable=True),
        sa.Column("opted_out_at", TIMESTAMP, nullable=True),
        sa.Column("reply_message_id", sa.String(length=64), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_sentiment", sa.String(length=10), nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "phone", name="members_campaign_phone_key"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("members_campaign_idx", "members", ["campaign_id", "status"], unique=False)
    op.create_index(
        "members_due_idx",
        "members",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("members_phone_idx", "members", ["phone", "intent_at"], unique=False)
    op.create_table(
        "parked_statuses",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("parked_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "status"),
    )
    op.create_table(
        "consent_suppressions",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("phone"),
    )

    create_runtime_tables()


def downgrade() -> None:
    op.drop_table("consent_suppressions")
    op.drop_table("processed_events")
    op.drop_table("parked_statuses")
    op.drop_index(
        "outbox_pending_idx", table_name="outbox", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_table("outbox")
    op.drop_index("members_phone_idx", table_name="members")
    op.drop_index(
        "members_due_idx", table_name="members", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index("members_campaign_idx", table_name="members")
    op.drop_table("members")
    op.drop_table("lists")
    op.drop_table("list_contacts")
    op.drop_table("line_days")
    op.drop_table("contacts")
    op.drop_table("campaigns")
    op.drop_table("campaign_days")
