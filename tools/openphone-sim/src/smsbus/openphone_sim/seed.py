"""The seeded workspace `make up` and `POST /sim/reset` start from: users, our lines, the seeded
webhooks and (optionally) a little demo history. Same seed, same ids."""

from __future__ import annotations

from datetime import datetime, timedelta

from smsbus.contracts.rest import (
    ContactDefaultFields,
    ContactEntry,
    PhoneNumber,
    PhoneNumberUser,
    RestContact,
    User,
    Webhook,
)
from smsbus.openphone.signing import SigningKey
from smsbus.openphone_sim.activity import record_message
from smsbus.openphone_sim.ids import IdFactory
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.settings import SimSettings
from smsbus.openphone_sim.workspace import RegisteredWebhook, Workspace

UNRESTRICTED = {
    "calling": {"CA": "unrestricted", "Intl": "restricted", "US": "unrestricted"},
    "messaging": {"CA": "unrestricted", "Intl": "restricted", "US": "unrestricted"},
}
DEMO_PEOPLE = (
    ("Ada", "Lovelace", "+15555550142"),
    ("Grace", "Hopper", "+15555550143"),
    ("Alan", "Turing", "+15555550144"),
)
DEMO_CONVERSATION = (
    ("incoming", "Hi! Is the quote for the kitchen ready?"),
    ("outgoing", "Yes, sending it over this afternoon."),
    ("incoming", "Great, thanks"),
)


def formatted(number: str) -> str:
    digits = number.removeprefix("+1")
    if len(digits) != 10:
        return number
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def seeded_workspace(settings: SimSettings, *, ids: IdFactory, now: datetime) -> Workspace:
    created = now - timedelta(days=90)
    owner, member = (
        User(
            id=ids.user(),
            email=f"{role}@example.com",
            first_name=first_name,
            last_name=role.title(),
            role=role,
            created_at=created,
            updated_at=created,
        )
        for first_name, role in (("Olivia", "owner"), ("Max", "member"))
    )
    line_user = PhoneNumberUser(
        id=owner.id,
        email=owner.email,
        first_name=owner.first_name,
        last_name=owner.last_name,
        role="owner",
    )
    lines = [
        PhoneNumber(
            id=ids.phone_number(),
            number=number,
            name=f"Line {index + 1}",
            formatted_number=formatted(number),
            users=[line_user],
            restrictions=UNRESTRICTED,
            created_at=created,
            updated_at=created,
        )
        for index, number in enumerate(settings.lines)
    ]
    workspace = Workspace(users=[owner, member], lines=lines)
    for url in settings.webhook_urls:
        webhook_id = ids.webhook()
        workspace.webhooks[webhook_id] = RegisteredWebhook(
            webhook=Webhook(
                id=webhook_id,
                url=url,
                events=list(GENERATIONS[settings.payload_generation].events),
                key=settings.signing_key,
                label="seeded",
                resource_ids=["*"],
                user_id=owner.id,
                org_id=settings.org_id,
                created_at=created,
                updated_at=created,
            ),
            generation=settings.payload_generation,
            signing_key=SigningKey.parse(settings.signing_key),
        )
    if settings.demo_history and lines:
        _demo_history(workspace, ids=ids, now=now, owner=owner)
    return workspace


def _demo_history(workspace: Workspace, *, ids: IdFactory, now: datetime, owner: User) -> None:
    for first, last, number in DEMO_PEOPLE:
        at = now - timedelta(days=30)
        workspace.save_contact(
            RestContact(
                id=ids.contact(),
                source="simulator",
                created_at=at,
                updated_at=at,
                default_fields=ContactDefaultFields(
                    first_name=first,
                    last_name=last,
                    phone_numbers=[ContactEntry(name="mobile", value=number, id=ids.contact())],
                ),
                created_by_user_id=owner.id,
            )
        )
    line = workspace.lines[0]
    start = now - timedelta(days=1)
    for index, (direction, text) in enumerate(DEMO_CONVERSATION):
        outgoing = direction == "outgoing"
        record_message(
            workspace,
            ids,
            line=line,
            direction="outgoing" if outgoing else "incoming",
            externals=[DEMO_PEOPLE[0][2]],
            sender=DEMO_PEOPLE[0][2],
            text=text,
            status="delivered" if outgoing else "received",
            at=start + timedelta(minutes=5 * index),
            user_id=owner.id if outgoing else None,
        )
