"""Keyword-only async functions over the reconciler's tables (`seen`, `runs`)."""
