"""campaign-engine: the dispatcher's claim reads due members in its own order from the index.

Each claim takes the first due pending members by (next_attempt_at, id). Indexed on
next_attempt_at alone, members due at the same moment (a campaign's whole audience, added at
once) were all read and sorted by id at every claim; on (next_attempt_at, id) the scan stops
after one batch.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_dispatch"
down_revision = "0003_contact_imports"

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.drop_index("members_due_idx", table_name="members")
    op.create_index(
        "members_due_idx", "members", ["next_attempt_at", "id"], postgresql_where=PENDING
    )


def downgrade() -> None:
    op.drop_index("members_due_idx", table_name="members")
    op.create_index("members_due_idx", "members", ["next_attempt_at"], postgresql_where=PENDING)
