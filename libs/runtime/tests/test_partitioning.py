"""Our murmur2 partitioner against aiokafka's (the Java client's) on many keys: always equal."""

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference_murmur2

from smsbus.runtime.partitioning import key_partitioner, murmur2

RANDOM = random.Random(20261129)
KEYS = [
    b"",
    b"+15555550123",  # a phone number: the messages key
    b"CN0123456789abcdef0123456789abcd",  # a conversation id
    "+33 6 12 34 56 78 é".encode(),
    *(bytes(RANDOM.randrange(256) for _ in range(length)) for length in range(65)),  # every tail
    *(RANDOM.randbytes(RANDOM.randrange(1, 200)) for _ in range(2000)),
]


def test_murmur2_equals_the_reference_on_every_key() -> None:
    assert [murmur2(key) for key in KEYS] == [reference_murmur2(key) for key in KEYS]


@pytest.mark.parametrize("partitions", [1, 3, 6, 7, 12, 64])
def test_a_key_gets_the_partition_the_default_partitioner_gives(partitions: int) -> None:
    every = list(range(partitions))
    ours = [key_partitioner(key, every, every) for key in KEYS]
    assert ours == [DefaultPartitioner()(key, every, every) for key in KEYS]
    assert ours == [key_partitioner(key, every, every) for key in KEYS]  # remembered keys agree
    if partitions > 1:
        assert len(set(ours)) == partitions  # and the keys spread over all of them


def test_a_record_without_a_key_goes_to_an_available_partition() -> None:
    assert {key_partitioner(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert {key_partitioner(None, [0, 1], []) for _ in range(50)} == {0, 1}
