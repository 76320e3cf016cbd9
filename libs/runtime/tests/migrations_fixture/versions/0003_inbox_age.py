"""the runtime's inbox, version 2: indexed by age"""

from smsbus.runtime.migrations import add_inbox_age_index, drop_inbox_age_index

revision = "0003"
down_revision = "0002"

upgrade, downgrade = add_inbox_age_index, drop_inbox_age_index
