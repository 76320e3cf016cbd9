import pytest

from smsbus.compliance.domain.dnc import (
    DncFileError,
    DncLineError,
    DncParser,
    DncRecord,
    LineSplitter,
)


def parse_all(fmt: str, text: str) -> list[object]:
    parser = DncParser(fmt)  # type: ignore[arg-type]
    return [r for line in text.split("\n") if (r := parser.parse(line)) is not None]


def test_ftc_full_list_lines() -> None:
    text = "201,5550123\n201,5550124\r\n\n# comment\n2015550125\n"
    assert parse_all("ftc_full", text) == [
        DncRecord("+12015550123", "add", "201"),
        DncRecord("+12015550124", "add", "201"),
        DncRecord("+12015550125", "add", "201"),
    ]


def test_ftc_change_list_with_flags_and_dates_in_any_column() -> None:
    text = 'AREA,NUMBER,DATE,ACTION\n201,5550123,2026-01-05,A\n201,5550124,2026-01-05,D\n"202","2345678",delete\n'
    assert parse_all("ftc_change", text) == [
        DncRecord("+12015550123", "add", "201"),
        DncRecord("+12015550124", "delete", "201"),
        DncRecord("+12022345678", "delete", "202"),
    ]


@pytest.mark.parametrize(
    ("fmt", "line", "reason"),
    [
        ("ftc_full", "201,555012", "no ten-digit"),
        ("ftc_full", "hello,world", "no ten-digit"),
        ("ftc_change", "201,5550123", "add/delete flag"),
        ("ftc_change", "201,5550123,A,D", "add/delete flag"),
        ("plain", "not a number", "not a phone number"),
        ("plain", "555-0100", "not a possible"),
    ],
)
def test_bad_lines_are_errors_with_their_line_number(fmt: str, line: str, reason: str) -> None:
    parser = DncParser(fmt)  # type: ignore[arg-type]
    parser.parse("2015550100" if fmt != "ftc_change" else "201,5550100,A")
    result = parser.parse(line)
    assert isinstance(result, DncLineError)
    assert result.line_no == 2
    assert reason in result.reason


def test_plain_lists_take_any_common_format() -> None:
    text = "phone\n(415) 555-2671\n+1 415 555 2672\n4155552673\n+44 7911 123456\n"
    assert [r.phone for r in parse_all("plain", text)] == [
        "+14155552671",
        "+14155552672",
        "+14155552673",
        "+447911123456",
    ]  # type: ignore[attr-defined]


def test_line_splitter_handles_chunks_split_anywhere_even_inside_a_character() -> None:
    data = "\ufeffé1\r\nline two\nlast".encode()
    splitter = LineSplitter()
    lines: list[str] = []
    for i in range(len(data)):
        lines += splitter.feed(data[i : i + 1])
    lines += splitter.finish()
    assert lines == ["é1", "line two", "last"]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe\x00a", "not UTF-8"), (b"abc\x00def\n", "NUL"), (b"a" * 20_000, "longer than")],
)
def test_line_splitter_refuses_binary_files(data: bytes, message: str) -> None:
    with pytest.raises(DncFileError, match=message):
        LineSplitter().feed(data)
