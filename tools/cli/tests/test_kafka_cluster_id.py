"""The cluster id handed to Kafka's StorageTool must parse as a value, never as an option."""

import re
from unittest import mock

from smsbus.cli.stack import kafka


def test_cluster_ids_are_22_url_safe_characters_without_a_leading_dash() -> None:
    ids = [kafka.new_cluster_id() for _ in range(5000)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id) for cluster_id in ids)
    assert not [cluster_id for cluster_id in ids if cluster_id.startswith("-")]
    assert len(set(ids)) == len(ids)


def test_a_draw_with_a_leading_dash_is_drawn_again() -> None:
    leading_dash = bytes([0xF8]) + bytes(15)  # base64 of 0b111110... is '-'
    second = bytes(range(16))
    with mock.patch.object(kafka.uuid, "uuid4", side_effect=[_uuid(leading_dash), _uuid(second)]):
        cluster_id = kafka.new_cluster_id()
    assert cluster_id == "AAECAwQFBgcICQoLDA0ODw"


def _uuid(raw: bytes) -> object:
    return mock.Mock(bytes=raw)
