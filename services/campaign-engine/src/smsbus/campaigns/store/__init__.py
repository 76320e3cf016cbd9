"""Keyword-only async functions over campaign-engine's tables."""
