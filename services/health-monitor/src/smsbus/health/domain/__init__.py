"""The monitor's pure logic: no I/O, no clock, no ids (they are passed in).

- checks.py: a check's states and the decisions that end it;
- matching.py: which incoming message event decides which pending check, and how;
- status.py: the overall status from recent results;
- alerts.py: when a status change alerts, and what the alert says.
"""
