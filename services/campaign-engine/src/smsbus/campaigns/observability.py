"""campaign-engine's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge

from smsbus.runtime.metrics import Metrics


@dataclass(frozen=True)
class CampaignMetrics:
    dispatched: Counter
    pauses: Counter
    paused: Gauge
    members: Gauge
    daily_used: Gauge
    daily_limit: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> CampaignMetrics:
        return cls(
            dispatched=metrics.counter(
                "members_dispatched_total",
                "Member outcomes: requested, skipped, deferred (dispatcher); sent, refused, "
                "failed, requeued, capped, paused (the egress's results).",
                ["outcome"],
            ),
            pauses=metrics.counter(
                "campaign_pauses_total",
                "Campaigns paused, by reason (manual or a deferral).",
                ["reason"],
            ),
            paused=metrics.gauge(
                "campaigns_paused", "Campaigns paused now, by reason.", ["reason"]
            ),
            members=metrics.gauge(
                "campaign_members",
                "Members of each campaign not finished (or finished within a day), per variant "
                "and state: waiting, sent, delivered, failed, responded, opted_out, skipped.",
                ["campaign", "name", "variant", "state"],
            ),
            daily_used=metrics.gauge(
                "campaign_daily_used",
                "Sends counted against each running campaign's daily limit today (its zone's).",
                ["campaign", "name"],
            ),
            daily_limit=metrics.gauge(
                "campaign_daily_limit", "Each running campaign's daily limit.", ["campaign", "name"]
            ),
        )

    def count(self, outcome: str) -> None:
        self.dispatched.labels(outcome=outcome).inc()

    def pause(self, reason: str) -> None:
        self.pauses.labels(reason=reason).inc()

    def show_paused(self, counts: dict[str, int]) -> None:
        self.paused.clear()  # a reason no campaign is paused for any more drops out
        for reason, count in counts.items():
            self.paused.labels(reason=reason).set(count)

    def show_progress(
        self, counts: Iterable[Mapping[str, Any]], daily: Iterable[tuple[str, str, int, int]]
    ) -> None:
        """`counts`: per campaign variant (campaign_id, name, variant and PROGRESS_STATES);
        `daily`: (campaign id, name, used today, daily limit) of the running campaigns."""
        for gauge in (self.members, self.daily_used, self.daily_limit):
            gauge.clear()  # a campaign finished over a day ago drops out
        for row in counts:
            for state in PROGRESS_STATES:
                labels = (row["campaign_id"], row["name"], row["variant"], state)
                self.members.labels(*labels).set(row[state])
        for campaign_id, name, used, limit in daily:
            self.daily_used.labels(campaign_id, name).set(used)
            self.daily_limit.labels(campaign_id, name).set(limit)


PROGRESS_STATES = ("waiting", "sent", "delivered", "failed", "responded", "opted_out", "skipped")
