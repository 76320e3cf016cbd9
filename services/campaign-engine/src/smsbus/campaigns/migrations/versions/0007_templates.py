"""campaign-engine: the template library (saved templates a campaign's variants can name)"""

import sqlalchemy as sa
from alembic import op

from smsbus.runtime.migrations import TIMESTAMP

revision = "0007_templates"
down_revision = "0006_inbox_age"


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("archived_at", TIMESTAMP, nullable=True),
    )
    # One live template per name; an archived one gives its name back.
    op.create_index(
        "templates_live_name_key", "templates", ["name"], unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("templates")
