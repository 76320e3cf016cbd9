"""campaign-engine: a contacts import may check its numbers' line types at compliance
(check_lines) and keeps the outcome (lines)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
revision = "0008_import_lines"
down_revision = "0007_templates"


def upgrade() -> None:
    # A default: an engine of the previous release inserts imports during a rolling upgrade.
    op.add_column(
        "contact_imports",
        sa.Column("check_lines", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("contact_imports", sa.Column("lines", _JSON))


def downgrade() -> None:
    for column in ("lines", "check_lines"):
        op.drop_column("contact_imports", column)
