"""campaign-engine: the inbox indexed by age, so that old rows can be pruned (runtime/pruning.py)"""

from smsbus.runtime.migrations import add_inbox_age_index, drop_inbox_age_index

revision = "0006_inbox_age"
down_revision = "0005_import_consent"

upgrade, downgrade = add_inbox_age_index, drop_inbox_age_index
