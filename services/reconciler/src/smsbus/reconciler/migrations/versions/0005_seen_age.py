"""reconciler: seen events indexed by the time of their fact, so that forgotten ones can be pruned

Writes to seen_events wait while the index builds; on a large table, build it beforehand without
blocking (`CREATE INDEX CONCURRENTLY seen_events_occurred_idx ON reconciler.seen_events
(occurred_at)`) and this step finds it there.
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_index("seen_events_occurred_idx", "seen_events", ["occurred_at"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("seen_events_occurred_idx", table_name="seen_events")
