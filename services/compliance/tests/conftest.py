"""compliance's tests migrate their schema with its own scripts (the plugin's `schema`, `engine`
and `sessions` fixtures: runtime/testing.py); `make_app` builds its app on that schema."""

import smsbus.compliance
from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.runtime.testing import migrations_fixture
from smsbus.runtime.testing_api import OPENPHONE_KEY, app_fixture

migrations = migrations_fixture(smsbus.compliance)
make_app = app_fixture(create_app, Settings, SMSBUS_OPENPHONE_API_KEY=OPENPHONE_KEY)
