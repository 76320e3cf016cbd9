"""campaign-engine: contact imports as background jobs (`contact_imports`) and the contacts
each import created or updated (`import_contacts`, by import id, with the file line).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from smsbus.runtime.migrations import TIMESTAMP

revision = "0003_contact_imports"
down_revision = "0002"

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    counts = ("rows_read", "imported", "created", "invalid", "duplicates")
    op.create_table(
        "contact_imports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts),
        sa.Column("errors", _JSON, nullable=False),
        sa.Column("mapping", _JSON, nullable=True),
        sa.Column("list_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "import_contacts",
        sa.Column("import_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("import_id", "contact_id"),
    )


def downgrade() -> None:
    op.drop_table("import_contacts")
    op.drop_table("contact_imports")
