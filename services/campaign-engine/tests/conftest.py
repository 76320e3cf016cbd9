"""campaign-engine's tests migrate their schema with its own scripts (the plugin's `schema`, `engine`
and `sessions` fixtures: runtime/testing.py); `make_app` builds its app on that schema."""

import smsbus.campaigns
from smsbus.campaigns.app import create_app
from smsbus.campaigns.settings import Settings
from smsbus.runtime.testing import migrations_fixture
from smsbus.runtime.testing_api import app_fixture

migrations = migrations_fixture(smsbus.campaigns)
make_app = app_fixture(create_app, Settings)
