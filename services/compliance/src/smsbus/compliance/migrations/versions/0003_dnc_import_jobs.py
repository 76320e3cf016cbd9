"""compliance: DNC imports become background jobs (dnc_import_jobs); earlier imports are
recorded as succeeded jobs, so the list of imports shows them too
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP, identity_key

revision = "0003"
down_revision = "0002"

_EARLIER_IMPORTS = """
INSERT INTO dnc_import_jobs (
  list_name, format, filename, status, file_bytes, bytes_read, records, invalid_lines,
  invalid_examples, version, added, removed, total, area_codes, created_at, started_at,
  finished_at)
SELECT name, format, filename, 'succeeded', 0, 0, records, 0, '[]'::jsonb, version, added,
  removed, total, area_codes, imported_at, imported_at, imported_at
FROM dnc_lists ORDER BY id
"""


def upgrade() -> None:
    op.create_table(
        "dnc_import_jobs",
        identity_key(),
        sa.Column("list_name", sa.String(100), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("runner", sa.String(32), nullable=True),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("invalid_lines", sa.BigInteger(), nullable=False),
        sa.Column("invalid_examples", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("added", sa.BigInteger(), nullable=True),
        sa.Column("removed", sa.BigInteger(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("area_codes", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
    )
    op.execute(_EARLIER_IMPORTS)


def downgrade() -> None:
    op.drop_table("dnc_import_jobs")
