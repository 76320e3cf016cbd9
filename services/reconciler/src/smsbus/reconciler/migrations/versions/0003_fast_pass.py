"""reconciler: the fast pass's watermark, and seen events looked up by object id

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watermarks",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("position", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The fast pass asks "was this conversation's last activity seen?" by activity id.
    op.create_index("seen_events_object_idx", "seen_events", ["object_id"])


def downgrade() -> None:
    op.drop_index("seen_events_object_idx", table_name="seen_events")
    op.drop_table("watermarks")
