"""campaign-engine: a contacts import's consent columns are handed to compliance; the import
keeps how many rows went (consent_rows), compliance's consent import id and its outcome
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
revision = "0005_import_consent"
down_revision = "0004_dispatch"


def upgrade() -> None:
    # A default: an engine of the previous release inserts imports during a rolling upgrade.
    op.add_column(
        "contact_imports",
        sa.Column("consent_rows", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("contact_imports", sa.Column("consent_import_id", sa.BigInteger()))
    op.add_column("contact_imports", sa.Column("consent", _JSON))


def downgrade() -> None:
    for column in ("consent", "consent_import_id", "consent_rows"):
        op.drop_column("contact_imports", column)
