"""campaign-engine: sends go through compliance's egress. Campaigns say why they are paused;
the send lease (members.lease_until) and OpenPhone's per-line cap (line_days.capped_until) go:
nothing here calls OpenPhone any more.

Upgrade with no member in `sending` (pause running campaigns and let the old engine finish
its in-flight sends first): an old intent has no request at the egress and would wait forever.
"""

import sqlalchemy as sa
from alembic import op

from smsbus.runtime.migrations import TIMESTAMP

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("pause_reason", sa.Text(), nullable=True))
    op.add_column("campaigns", sa.Column("paused_at", TIMESTAMP, nullable=True))
    op.add_column("campaigns", sa.Column("resumed_at", TIMESTAMP, nullable=True))
    # Paused before this revision: by someone, through the API.
    op.execute("UPDATE campaigns SET pause_reason = 'manual' WHERE status = 'paused'")
    op.drop_column("members", "lease_until")
    op.drop_column("line_days", "capped_until")


def downgrade() -> None:
    op.add_column("line_days", sa.Column("capped_until", TIMESTAMP, nullable=True))
    op.add_column("members", sa.Column("lease_until", TIMESTAMP, nullable=True))
    op.drop_column("campaigns", "resumed_at")
    op.drop_column("campaigns", "paused_at")
    op.drop_column("campaigns", "pause_reason")
