"""Keyword-only async functions over the monitor's tables, `checks` and `alerts`: SQLAlchemy
Core statements over the SQLModel tables of models.py."""
