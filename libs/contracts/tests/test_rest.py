"""OpenPhone's REST shapes parse the documented examples and keep what OpenPhone adds."""

import pytest
from pydantic import ValidationError

from smsbus.contracts import Message
from smsbus.contracts.rest import DataResponse, ErrorBody, ListResponse, SendMessageRequest

DOCUMENTED_MESSAGE = {
    "id": "AC123abc", "to": ["+15555555555"], "from": "+15555555555", "text": "Hello, world!",
    "phoneNumberId": "PN123abc", "conversationId": "CN123abc", "direction": "outgoing",
    "userId": "US123abc", "status": "queued", "createdAt": "2022-01-01T00:00:00Z",
    "updatedAt": "2022-01-01T00:00:00Z", "media": [],
}  # fmt: skip


def test_a_list_page_parses_with_its_token() -> None:
    page = ListResponse[Message].model_validate(
        {"data": [DOCUMENTED_MESSAGE], "totalItems": 1, "nextPageToken": "abc", "newField": 1}
    )
    assert page.data[0].text == "Hello, world!"
    assert page.next_page_token == "abc"
    assert page.model_dump(by_alias=True)["newField"] == 1


def test_the_last_page_has_no_token() -> None:
    page = ListResponse[Message].model_validate(
        {"data": [], "totalItems": 0, "nextPageToken": None}
    )
    assert page.next_page_token is None


def test_a_single_object_answer() -> None:
    answer = DataResponse[Message].model_validate({"data": DOCUMENTED_MESSAGE})
    assert answer.data.from_ == "+15555555555"


def test_the_daily_cap_error_body() -> None:
    body = ErrorBody.model_validate(
        {"message": "A2P 10DLC Daily Message Cap Reached", "code": "0204403", "status": 403,
         "docs": "https://openphone.com/docs", "title": "Forbidden",
         "errors": [{"path": "/to", "message": "cap", "value": 1, "schema": {"type": "string"}}]}
    )  # fmt: skip
    assert (body.code, body.status) == ("0204403", 403)
    assert body.errors[0].schema_ == {"type": "string"}


def test_a_send_request_is_camel_case_on_the_wire() -> None:
    request = SendMessageRequest(content="Hi", from_="PN123abc", to=["+15555555555"], user_id="US1")
    assert request.model_dump(exclude_none=True) == {
        "content": "Hi", "from": "PN123abc", "to": ["+15555555555"], "userId": "US1",
    }  # fmt: skip


@pytest.mark.parametrize("content", ["", "   \n", "x" * 1601])
def test_a_send_request_refuses_what_openphone_refuses(content: str) -> None:
    with pytest.raises(ValidationError):
        SendMessageRequest(content=content, from_="PN1", to=["+15555555555"])
