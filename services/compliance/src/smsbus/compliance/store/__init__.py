"""compliance's persistence: keyword-only async functions over its tables, one module per topic."""
