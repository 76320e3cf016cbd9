"""health: the canary goes through compliance's egress; no unknown send outcomes of its own"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # The egress looks unknown outcomes up itself; the monitor only waits for its result.
    op.drop_column("checks", "send_error")


def downgrade() -> None:
    op.add_column("checks", sa.Column("send_error", sa.Text(), nullable=True))
