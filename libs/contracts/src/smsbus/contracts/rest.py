"""OpenPhone's REST API (v1) wire shapes: what the client sends and the simulator serves.

Messages, calls, summaries and transcripts share the event payload models (`Message`, `Call`, …);
this module holds the shapes only the REST API has. Field names and types as OpenPhone documents
them; unknown fields are kept, as for every provider model.
"""

from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from smsbus.contracts.base import ProviderModel

ItemT = TypeVar("ItemT", bound=BaseModel)


class SendMessageRequest(BaseModel):
    """`POST /v1/messages`. The request says `content`; the answer's message says `text`."""

    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )

    content: str = Field(min_length=1, max_length=1600, pattern=r".*\S.*")
    from_: str = Field(alias="from")
    """`PN…` id or E.164 number of one of our lines."""
    to: list[str] = Field(min_length=1, max_length=10)
    user_id: str | None = None
    set_inbox_status: Literal["done"] | None = None


class DataResponse(ProviderModel, Generic[ItemT]):
    """`{"data": …}`: the answer of every single-object endpoint."""

    data: ItemT


class ListResponse(ProviderModel, Generic[ItemT]):
    """A page of a list endpoint. `totalItems` is documented as inaccurate: never rely on it."""

    data: list[ItemT]
    total_items: int | None = None
    next_page_token: str | None = None
    """None on the last page."""


class Conversation(ProviderModel):
    id: str
    """`CN…`."""
    phone_number_id: str
    participants: list[str]
    name: str | None = None
    assigned_to: str | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    deleted_at: AwareDatetime | None = None
    last_activity_at: AwareDatetime | None = None
    last_activity_id: str | None = None
    muted_until: AwareDatetime | None = None
    snoozed_until: AwareDatetime | None = None


class PhoneNumberUser(ProviderModel):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    """`owner`, `admin` or `member`."""
    group_id: str | None = None


class User(ProviderModel):
    """`GET /v1/users`: a member of the workspace."""

    id: str
    """`US…`."""
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    picture_url: str | None = None
    role: str | None = None
    """`owner`, `admin` or `member`."""
    group_id: str | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


class PhoneNumber(ProviderModel):
    id: str
    """`PN…`."""
    number: str
    """E.164."""
    name: str | None = None
    formatted_number: str | None = None
    group_id: str | None = None
    port_request_id: str | None = None
    porting_status: str | None = None
    forward: str | None = None
    symbol: str | None = None
    users: list[PhoneNumberUser] = []
    restrictions: dict[str, Any] | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


class CallRecording(ProviderModel):
    """`GET /v1/call-recordings/{callId}` answers a list of these, oldest first."""

    id: str
    url: str | None = None
    type: str | None = None
    """MIME type, e.g. `audio/mpeg`."""
    duration: int | None = None
    """Seconds."""
    start_time: AwareDatetime | None = None
    status: str
    """`absent|completed|deleted|failed|in-progress|paused|processing|stopped|stopping`."""


class ContactEntry(ProviderModel):
    """An e-mail address or phone number of a REST contact."""

    name: str | None = None
    value: str
    id: str | None = None


class ContactDefaultFields(ProviderModel):
    company: str | None = None
    emails: list[ContactEntry] = []
    first_name: str | None = None
    last_name: str | None = None
    phone_numbers: list[ContactEntry] = []
    role: str | None = None


class ContactCustomField(ProviderModel):
    name: str | None = None
    key: str | None = None
    type: str | None = None
    value: Any = None


class RestContact(ProviderModel):
    """`/v1/contacts`: not the shape contact webhooks carry (see `Contact`)."""

    id: str
    """24 hex digits."""
    external_id: str | None = None
    source: str | None = None
    source_url: str | None = None
    default_fields: ContactDefaultFields = ContactDefaultFields()
    custom_fields: list[ContactCustomField] = []
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    created_by_user_id: str | None = None


class Webhook(ProviderModel):
    """A webhook registered through `POST /v1/webhooks/{messages|calls|call-summaries|…}`."""

    id: str
    """`WH…`."""
    url: str
    events: list[str]
    key: str
    """The base64 signing secret for `openphone-signature`."""
    status: Literal["enabled", "disabled"] = "enabled"
    label: str | None = None
    resource_ids: list[str] = []
    user_id: str | None = None
    org_id: str | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    deleted_at: AwareDatetime | None = None


class ErrorDetail(ProviderModel):
    path: str | None = None
    message: str | None = None
    value: Any = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")


class ErrorBody(ProviderModel):
    """OpenPhone's v1 error envelope, e.g. 403 `0204403` "A2P 10DLC Daily Message Cap Reached"."""

    message: str
    code: str
    status: int
    docs: str | None = None
    title: str | None = None
    trace: str | None = None
    errors: list[ErrorDetail] = []
    description: str | None = None
