"""compliance: consent imports as background jobs (consent_import_jobs) and their staged rows
(consent_import_rows, unlogged)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, identity_key

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    counts = ("file_bytes", "bytes_read", "rows_read", "numbers", "applied", "granted",
              "revoked", "no_consent", "kept_opted_out", "refused")  # fmt: skip
    op.create_table(
        "consent_import_jobs",
        identity_key(),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("runner", sa.String(32), nullable=True),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in counts),
        sa.Column("refused_by_reason", postgresql.JSONB(), nullable=False),
        sa.Column("refused_rows", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "consent_import_rows",
        sa.Column("job_id", sa.BigInteger(), primary_key=True),
        sa.Column("line", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("consent", sa.String(10), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("consented_at", TIMESTAMP, nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=True),
        sa.Column("ref", sa.Text(), nullable=True),
        prefixes=["UNLOGGED"],
    )
    op.create_index(
        "consent_import_rows_phone_idx", "consent_import_rows", ["job_id", "phone", "line"]
    )


def downgrade() -> None:
    op.drop_table("consent_import_rows")
    op.drop_table("consent_import_jobs")
