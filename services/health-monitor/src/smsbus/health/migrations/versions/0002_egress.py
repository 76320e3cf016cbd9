"""health: the canary goes through compliance's egress; no unknown send outcomes of its own

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The egress looks unknown outcomes up itself; the monitor only waits for its result.
    op.drop_column("checks", "send_error")


def downgrade() -> None:
    op.add_column("checks", sa.Column("send_error", sa.Text(), nullable=True))
