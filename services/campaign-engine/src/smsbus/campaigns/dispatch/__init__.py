"""The dispatch loop and its steps, one job per module:

- `loop`: lanes that claim due members and decide them; starting scheduled campaigns,
  finishing drained ones;
- `batch`: one claimed batch dispatched: its facts, its decisions (the pure
  `domain.batch.decide_batch`), what they change recorded;
- `facts`: what the rules need for a batch, loaded a statement per kind of fact;
- `outcomes`: what the decisions change (skip, wait, or an intent with its request), gathered
  and recorded a statement per kind;
- `requests`: the SendRequested for one member's attempt (to compliance's egress).

What the egress answers is handled by `handlers/results.py`.
"""

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.loop import Dispatcher

__all__ = ["DispatchConfig", "Dispatcher"]
