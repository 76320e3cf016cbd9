"""health: the inbox indexed by age, so that old rows can be pruned (runtime/pruning.py)"""

from smsbus.runtime.migrations import add_inbox_age_index, drop_inbox_age_index

revision = "0004"
down_revision = "0003"

upgrade, downgrade = add_inbox_age_index, drop_inbox_age_index
