"""reconciler: the fast pass's watermark, and seen events looked up by object id"""

import sqlalchemy as sa
from alembic import op

from smsbus.runtime.migrations import TIMESTAMP

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "watermarks",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("position", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    # The fast pass asks "was this conversation's last activity seen?" by activity id.
    op.create_index("seen_events_object_idx", "seen_events", ["object_id"])


def downgrade() -> None:
    op.drop_index("seen_events_object_idx", table_name="seen_events")
    op.drop_table("watermarks")
