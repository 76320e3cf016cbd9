"""The Core `Table` of a SQLModel table class, for the store modules' Core statements."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel


def table(model: type[SQLModel]) -> Table:
    """`model.__table__`, typed: SQLAlchemy sets it on a `table=True` class at class creation,
    but SQLModel does not declare it, so a type checker cannot see it. Read here once (and
    checked) rather than with an ignore beside every table."""
    found = getattr(model, "__table__", None)
    if not isinstance(found, Table):
        raise TypeError(f"{model.__name__} is not a table class (declare it with table=True)")
    return found
