"""compliance: consent ledger, suppressions, reply intents, DNC lists, lookups, inbox/outbox"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, create_runtime_tables, identity_key

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "consent_ledger",
        identity_key(),
        sa.Column("entry_id", sa.String(36), nullable=False, unique=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("consent_type", sa.String(10), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("evidence", postgresql.JSONB(), nullable=False),
        sa.Column("classifier_version", sa.String(50), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("ingested_at", TIMESTAMP, nullable=True),
        sa.Column("dedupe_key", sa.String(500), nullable=True),
        sa.CheckConstraint("action IN ('granted', 'revoked')", name="consent_ledger_action"),
        sa.CheckConstraint(
            "source IN ('sms', 'web', 'import', 'api', 'manual')", name="consent_ledger_source"
        ),
    )
    op.create_index("consent_ledger_phone_idx", "consent_ledger", ["phone", "id"])
    # The ledger is evidence: nothing may rewrite or remove an entry, whoever connects.
    op.execute(
        """
        CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'consent_ledger is append-only (% refused)', TG_OP;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER consent_ledger_no_change BEFORE UPDATE OR DELETE ON consent_ledger "
        "FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only()"
    )
    op.execute(
        "CREATE TRIGGER consent_ledger_no_truncate BEFORE TRUNCATE ON consent_ledger "
        "FOR EACH STATEMENT EXECUTE FUNCTION consent_ledger_append_only()"
    )
    op.create_table(
        "suppressions",
        sa.Column("phone", sa.String(20), primary_key=True),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("suppressed_at", TIMESTAMP, nullable=False),
    )
    create_reply_intents()
    op.create_index(
        "reply_intents_due_idx",
        "reply_intents",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.create_index("reply_intents_phone_idx", "reply_intents", ["phone", "created_at"])
    op.create_table(
        "help_replies",
        identity_key(),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("intent_id", sa.String(36), nullable=False),
        sa.Column("replied_at", TIMESTAMP, nullable=False),
    )
    op.create_index("help_replies_phone_idx", "help_replies", ["phone", "replied_at"])
    op.create_table(
        "dnc_lists",
        identity_key(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("added", sa.BigInteger(), nullable=False),
        sa.Column("removed", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("area_codes", postgresql.JSONB(), nullable=False),
        sa.UniqueConstraint("name", "version"),
    )
    op.create_table(
        "dnc_numbers",
        sa.Column("phone", sa.String(20), primary_key=True),
        sa.Column("list_name", sa.String(100), primary_key=True),
        sa.Column("list_id", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "internal_dnc",
        sa.Column("phone", sa.String(20), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("added_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "phone_lookups",
        sa.Column("phone", sa.String(20), primary_key=True),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("line_type", sa.String(20), nullable=False),
        sa.Column("carrier", sa.String(200), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "lookup_usage",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
    )
    create_runtime_tables()


def create_reply_intents() -> None:
    """The table alone: revision 0002's downgrade brings it back with this (without its indexes)."""
    op.create_table(
        "reply_intents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("trigger_message_id", sa.String(64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("send_started_at", TIMESTAMP, nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("openphone_message_id", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    for table in (
        "lookup_usage", "phone_lookups", "internal_dnc", "dnc_numbers", "dnc_lists",
        "help_replies", "reply_intents", "suppressions", "consent_ledger", "outbox",
        "processed_events",
    ):  # fmt: skip
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS consent_ledger_append_only()")
