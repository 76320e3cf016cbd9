"""the reconciler's tests migrate their schema with its own scripts (the plugin's `schema`, `engine`
and `sessions` fixtures: runtime/testing.py); `make_app` builds its app on that schema."""

import smsbus.reconciler
from smsbus.reconciler.app import create_app
from smsbus.reconciler.settings import Settings
from smsbus.runtime.testing import migrations_fixture
from smsbus.runtime.testing_api import OPENPHONE_KEY, app_fixture

migrations = migrations_fixture(smsbus.reconciler)
make_app = app_fixture(
    create_app,
    Settings,
    SMSBUS_OPENPHONE_API_KEY=OPENPHONE_KEY,
    SMSBUS_OPENPHONE_BASE_URL="http://127.0.0.1:9",
)
