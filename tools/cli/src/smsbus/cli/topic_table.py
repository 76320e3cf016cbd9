"""The topic registry as a Markdown table (printed by `smsbus topics`, embedded in README.md)."""

from __future__ import annotations

from smsbus.contracts.topics import ROUTES, dlq_topic


def render_markdown() -> str:
    columns = ("topic", "event type", "payload", "partition key", "producers",
               "consumers (DLQ per group)", "what it means")  # fmt: skip
    rows = ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    for route in sorted(ROUTES, key=lambda r: (r.topic, r.event_type)):
        consumers = ", ".join(route.consumers) or "—"
        rows.append(
            f"| `{route.topic}` | `{route.event_type}` | {route.model.__name__} "
            f"v{route.schema_version} | {route.key_description} | {', '.join(route.producers)} "
            f"| {consumers} | {route.description} |"
        )
    groups = sorted({(r.topic, g) for r in ROUTES for g in r.consumers})
    dlqs = ", ".join(f"`{dlq_topic(topic, group)}`" for topic, group in groups)
    rows += ["", f"Dead-letter topics ({len(groups)}): {dlqs}."]
    return "\n".join(rows)
