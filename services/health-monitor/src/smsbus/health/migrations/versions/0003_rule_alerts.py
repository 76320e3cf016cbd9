"""health: the alerts table also carries Prometheus' rule alerts, forwarded from Alertmanager"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "alerts",
        sa.Column("source", sa.String(12), nullable=False, server_default="canary"),
    )
    op.add_column("alerts", sa.Column("dedupe_key", sa.String(160), nullable=True))
    op.alter_column("alerts", "check_id", existing_type=sa.String(36), nullable=True)
    op.create_index(
        "alerts_dedupe_key_idx",
        "alerts",
        ["dedupe_key"],
        unique=True,
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM alerts WHERE check_id IS NULL")
    op.drop_index("alerts_dedupe_key_idx", table_name="alerts")
    op.alter_column("alerts", "check_id", existing_type=sa.String(36), nullable=False)
    op.drop_column("alerts", "dedupe_key")
    op.drop_column("alerts", "source")
