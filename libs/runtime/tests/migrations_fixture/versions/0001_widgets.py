"""widgets"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("widgets", sa.Column("name", sa.Text(), primary_key=True))


def downgrade() -> None:
    op.drop_table("widgets")
