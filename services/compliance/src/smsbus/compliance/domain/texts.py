"""The replies compliance sends: plain, brand-named, no marketing (CTIA; FCC 24-24)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplyTexts:
    brand: str
    support_contact: str
    frequency: str
    help_intro: str = ""

    @property
    def opt_out_confirmation(self) -> str:
        """Brand, that nothing more will come, how to come back; nothing else."""
        return (
            f"{self.brand}: You are unsubscribed and will receive no more messages from us. "
            "Reply START to resubscribe."
        )

    @property
    def opt_in_confirmation(self) -> str:
        return (
            f"{self.brand}: You are resubscribed. {self.frequency}. Msg & data rates may apply. "
            "Reply HELP for help, STOP to opt out."
        )

    @property
    def help(self) -> str:
        intro = f" {self.help_intro.strip()}" if self.help_intro.strip() else ""
        return (
            f"{self.brand}:{intro} Help: {self.support_contact}. {self.frequency}. "
            "Msg & data rates may apply. Reply STOP to opt out."
        )
