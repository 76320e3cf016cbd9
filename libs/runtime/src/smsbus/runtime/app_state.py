"""A part of a service that its routes need, put on the app by the composition root and read
back from the request: no global, no container.

    ENGINE = AppState[Engine]("engine")
    EngineDep = Annotated[Engine, Depends(ENGINE.get)]
    ...
    Api(router, installs=[ENGINE.installer(engine)])
"""

# No `from __future__ import annotations`: FastAPI reads `get`'s parameter types at run time.

from collections.abc import Callable
from typing import Generic, TypeVar

from fastapi import FastAPI, Request

T = TypeVar("T")


class AppState(Generic[T]):
    """One slot of `app.state`, named `name`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def install(self, app: FastAPI, value: T) -> None:
        setattr(app.state, self.name, value)

    def installer(self, value: T) -> Callable[[FastAPI], None]:
        """`install` with `value`, for `Api.installs`."""
        return lambda app: self.install(app, value)

    def get(self, request: Request) -> T:
        """The installed value (a FastAPI dependency)."""
        value: T = getattr(request.app.state, self.name)
        return value
