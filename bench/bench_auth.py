"""The API token of one bench run: every service a bench starts accepts it (runtime/auth.py), and
every call the bench makes to a service API sends it.

A bench script puts bench/ on sys.path to import this. The token is made when this module is
first imported, so each run has its own. The service processes a bench starts read it from
SERVICE_ENV's variables (a process that imported this module again would make another token).
"""

from __future__ import annotations

import secrets
from typing import Final

TOKEN: Final = secrets.token_urlsafe(32)
TOKENS: Final = f"bench:{TOKEN}:all"
"""SMSBUS_API_TOKENS of every service the bench runs (an app built in-process takes it as a
setting)."""
SERVICE_ENV: Final = {
    "SMSBUS_API_TOKENS": TOKENS,
    # What campaign-engine sends to compliance (eligibility) and compliance's egress to
    # campaign-engine (is the campaign still running?).
    "SMSBUS_CAMPAIGNS_API_TOKEN": TOKEN,
    "SMSBUS_COMPLIANCE_API_TOKEN": TOKEN,
}
"""The environment of every service process a bench starts."""
HEADERS: Final = {"Authorization": f"Bearer {TOKEN}"}
"""For the bench's own HTTP clients of a service API (health and metrics need none)."""
