"""The egress: the one way a text leaves (DESIGN.md §3a), one job per module:

- `timings`: the one table of timings (client timeout, when an unknown outcome is looked up…);
- `requesters`: is the requester's work still on (a campaign still running)?
- `errors`: what an OpenPhone refusal means for a request of each purpose;
- `results`: a request's final state and its result event, in one transaction;
- `sender`: the loop — due requests by priority, the gate under the number's lock, the shared
  budget, intent before POST, lookups of unknown outcomes.
"""
