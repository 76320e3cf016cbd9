"""Keyword-only async functions over the monitor's tables: `checks` and `alerts`."""
