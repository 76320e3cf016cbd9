"""settle_startup_heap: what is alive at start-up is frozen, young collections run less often."""

import gc
from collections.abc import Iterator

import pytest

from smsbus.runtime.heap import YOUNG_GENERATION_THRESHOLD, settle_startup_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_startup_objects_are_frozen_and_young_collections_are_rarer() -> None:
    gc.unfreeze()
    long_lived = [{"n": n} for n in range(1000)]
    _, middle, old = gc.get_threshold()

    settle_startup_heap()

    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, middle, old)
    later = [[n] for n in range(10)]
    later.append(later)  # a cycle made after start-up is still collected
    del later
    assert gc.collect() >= 1
