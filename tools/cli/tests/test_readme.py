"""README.md's topic table is generated from the registry and must stay in step with it."""

import pytest

from smsbus.cli import readme
from smsbus.cli.stack.config import find_repo_root
from smsbus.cli.topic_table import render_markdown
from smsbus.contracts.topics import ROUTES, all_dlq_topics


def test_readme_topic_table_matches_the_registry() -> None:
    text = (find_repo_root() / "README.md").read_text()
    assert readme.with_current_table(text) == text, (
        "README.md is stale: run `./uv run smsbus readme`"
    )


def test_the_table_names_every_event_type_and_dead_letter_topic() -> None:
    table = render_markdown()
    for route in ROUTES:
        assert f"`{route.event_type}`" in table
        assert f"`{route.topic}`" in table
    for dlq in all_dlq_topics():
        assert f"`{dlq}`" in table


def test_a_stale_table_is_replaced_and_the_rest_kept() -> None:
    stale = f"intro\n{readme.BEGIN}\n| old | table |\n{readme.END}\noutro\n"
    fresh = readme.with_current_table(stale)
    assert fresh.startswith("intro\n")
    assert fresh.endswith("outro\n")
    assert "| old | table |" not in fresh
    assert readme.with_current_table(fresh) == fresh


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="markers"):
        readme.with_current_table("no table here")
