"""Keyword-only async functions over the reconciler's tables (`seen_events`, `runs`,
`watermarks`): SQLAlchemy Core statements over the SQLModel tables of models.py."""
