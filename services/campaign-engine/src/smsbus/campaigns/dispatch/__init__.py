"""The dispatch loop and its steps, one job per module:

- `loop`: claim due members, decide them, send the intents; recovery first each round;
- `decisions`: one batch's checks and decisions (skip, wait, or an intent committed before sending);
- `outcomes`: what a send's result does to the member (sent, failed, requeued, held);
- `recovery`: intents left without a result are looked up at OpenPhone before any resend.
"""

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.loop import Dispatcher

__all__ = ["DispatchConfig", "Dispatcher"]
