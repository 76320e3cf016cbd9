"""The two kinds of payload model: OpenPhone's objects and our own events."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ProviderModel(BaseModel):
    """An OpenPhone object, camelCase on the wire exactly as OpenPhone spells it.

    Unknown fields are kept (not dropped) so a field OpenPhone adds later survives ingest,
    replays and the reconciler's copies.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
        # Title schema properties by their wire name ("phoneNumberId"), not "Phonenumberid".
        field_title_generator=lambda name, field: field.alias or to_camel(name),
    )


class OwnEvent(BaseModel):
    """An event we define ourselves: snake_case, immutable, and strict about its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
