"""What a readiness check is: health.py runs them for `/readyz`; the consumer and its stalls
provide them. Its own module so that neither imports the other through health.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Check = Callable[[], Awaitable[None]]
"""An async callable that raises when its dependency is not usable."""


class NotReadyError(Exception):
    """Raised by a check that found its dependency unusable."""
