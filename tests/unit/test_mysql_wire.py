"""The MySQL row reader against crafted packet streams: boundaries, long fields, the end."""

from __future__ import annotations

import io
import struct
from types import SimpleNamespace

import pymysql
import pytest

from frames.backends import mysql_wire

EOF_PACKET = b"\xfe\x00\x00\x02\x00"


def lenenc(value: bytes | None) -> bytes:
    """``value`` as a length-coded string of the text protocol."""
    if value is None:
        return b"\xfb"
    n = len(value)
    if n < 251:
        head = bytes([n])
    elif n < 1 << 16:
        head = b"\xfc" + n.to_bytes(2, "little")
    elif n < 1 << 24:
        head = b"\xfd" + n.to_bytes(3, "little")
    else:
        head = b"\xfe" + n.to_bytes(8, "little")
    return head + value


def packets(payloads: list[bytes], first_seq: int = 1) -> bytes:
    """The payloads framed as packets, split at the maximum length as the server does."""
    out, seq = [], first_seq
    for payload in payloads:
        while True:
            part, payload = payload[:0xFFFFFF], payload[0xFFFFFF:]
            out.append(len(part).to_bytes(3, "little") + bytes([seq & 0xFF]) + part)
            seq += 1
            if len(part) < 0xFFFFFF:
                break
    return b"".join(out)


class _Trickle(io.RawIOBase):
    """A socket that hands over at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.offset = data, step, 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        chunk = self.data[self.offset : self.offset + min(self.step, len(target))]
        target[: len(chunk)] = chunk
        self.offset += len(chunk)
        return len(chunk)


class FakeConnection:
    """What the reader uses of a pymysql connection with an unbuffered result in progress."""

    def __init__(self, stream: bytes, step: int = 1 << 20, first_seq: int = 1) -> None:
        self._rfile = io.BufferedReader(_Trickle(stream, step), buffer_size=max(step, 1))
        self._next_seq_id = first_seq
        self._result = SimpleNamespace(
            unbuffered_active=True, connection=self, warning_count=0, has_next=None, fields=[]
        )
        self.client_flag = 0
        self.closed = False

    def _force_close(self) -> None:
        self.closed = True


def rows_of(connection: FakeConnection, width: int, batch_rows: int = 3) -> list[tuple]:
    batches = list(mysql_wire.read_columns(connection, width, batch_rows))
    return [row for columns in batches for row in zip(*columns, strict=True)]


ROWS = [
    (b"1,2024-01-01,3.5", b"mouse"),
    (b"", None),
    (None, b""),
    (b"x" * 250, b"y" * 251),
    (b"z" * 70_000, "caf\u00e9 \U0001f42d".encode()),
    (b"2", b"\xfb\xfe\xff"),  # markers inside a value are data
]


@pytest.mark.parametrize("step", [1, 2, 5, 7, 4096, 1 << 20])
def test_rows_read_whatever_the_chunk_boundaries(step):
    stream = packets([lenenc(a) + lenenc(b) for a, b in ROWS] + [EOF_PACKET])
    connection = FakeConnection(stream, step)
    assert rows_of(connection, 2) == ROWS
    assert connection._result.unbuffered_active is False
    assert connection._result.connection is None
    assert connection._next_seq_id == (1 + len(ROWS) + 1) & 0xFF
    assert not connection.closed


def test_batches_hold_at_least_the_asked_rows_and_end_with_the_rest():
    rows = [(str(i).encode(),) for i in range(10)]
    stream = packets([lenenc(a) for (a,) in rows] + [EOF_PACKET])
    batches = list(mysql_wire.read_columns(FakeConnection(stream, step=9), 1, 4))
    assert [len(columns[0]) for columns in batches[:-1]] and all(
        len(columns[0]) >= 4 for columns in batches[:-1]
    )
    assert [v for columns in batches for v in columns[0]] == [a for (a,) in rows]


def test_empty_result_gives_one_empty_batch():
    assert list(mysql_wire.read_columns(FakeConnection(packets([EOF_PACKET])), 2, 10)) == [[[], []]]


def test_sequence_numbers_wrap_around():
    rows = [(str(i).encode(),) for i in range(600)]
    stream = packets([lenenc(a) for (a,) in rows] + [EOF_PACKET], first_seq=200)
    connection = FakeConnection(stream, step=100, first_seq=200)
    assert rows_of(connection, 1, 50) == rows
    assert connection._next_seq_id == (200 + 601) & 0xFF


def test_a_row_longer_than_one_packet_is_joined():
    big = b"b" * (0xFFFFFF + 10)
    rows = [(b"before",), (big,), (b"after",)]
    stream = packets([lenenc(a) for (a,) in rows] + [EOF_PACKET])
    assert rows_of(FakeConnection(stream, step=1 << 22), 1) == rows


def test_warnings_and_more_results_of_the_end_packet_are_kept():
    end = b"\xfe" + struct.pack("<HH", 3, 0x0008 | 0x0002)
    connection = FakeConnection(packets([lenenc(b"1"), end]))
    rows_of(connection, 1)
    assert connection._result.warning_count == 3
    assert connection._result.has_next is True


def test_an_error_packet_raises_the_servers_error_and_keeps_the_connection():
    error = b"\xff" + struct.pack("<H", 1242) + b"#21000Subquery returns more than 1 row"
    connection = FakeConnection(packets([lenenc(b"1"), error]))
    with pytest.raises(pymysql.err.OperationalError, match="more than 1 row") as caught:
        rows_of(connection, 1)
    assert caught.value.args[0] == 1242
    assert connection._result.unbuffered_active is False
    assert not connection.closed


def test_a_consumer_that_stops_early_leaves_the_connection_ready():
    rows = [(str(i).encode() * 20,) for i in range(1000)]
    big = b"\xfe" + b"q" * (0xFFFFFF + 3)  # a continuation packet that looks like an end
    stream = packets([lenenc(a) for (a,) in rows] + [lenenc(big), EOF_PACKET])
    connection = FakeConnection(stream, step=500)
    reader = mysql_wire.read_columns(connection, 1, 10)
    first = next(reader)
    assert first[0][0] == rows[0][0]
    reader.close()
    assert connection._result.unbuffered_active is False
    assert connection._next_seq_id == (1 + len(rows) + 3) & 0xFF
    assert not connection.closed


def test_a_lost_connection_raises_and_closes():
    stream = packets([lenenc(b"1"), lenenc(b"2")])[:-1]  # the server went away mid-row
    connection = FakeConnection(stream)
    with pytest.raises(pymysql.err.OperationalError, match="Lost connection") as caught:
        rows_of(connection, 1)
    assert caught.value.args[0] == 2013
    assert connection.closed


def test_a_wrong_sequence_number_raises_and_closes():
    stream = packets([lenenc(b"1")]) + packets([lenenc(b"2")], first_seq=7)
    connection = FakeConnection(stream + packets([EOF_PACKET], first_seq=8))
    with pytest.raises(pymysql.err.InternalError, match="sequence number wrong"):
        rows_of(connection, 1)
    assert connection.closed


@pytest.mark.parametrize(
    "payload",
    [
        lenenc(b"1") + lenenc(b"2") + lenenc(b"3"),  # more fields than columns
        lenenc(b"1"),  # fewer
        b"\x05ab",  # a field longer than its packet
    ],
)
def test_a_row_that_is_not_the_expected_fields_raises_and_closes(payload):
    connection = FakeConnection(packets([payload, EOF_PACKET]))
    with pytest.raises(pymysql.err.InternalError, match="length-coded fields|columns ends"):
        rows_of(connection, 2)
    assert connection.closed


def test_bytes_after_the_end_packet_raise():
    connection = FakeConnection(packets([lenenc(b"1"), EOF_PACKET, lenenc(b"extra")]), step=1 << 20)
    with pytest.raises(pymysql.err.InternalError, match="follow the end"):
        rows_of(connection, 1)
    assert connection.closed


def test_available_needs_an_active_unbuffered_result():
    connection = FakeConnection(packets([EOF_PACKET]))
    assert mysql_wire.available(connection)
    connection._result.unbuffered_active = False
    assert not mysql_wire.available(connection)
    connection._result.unbuffered_active = True
    connection.client_flag = pymysql.constants.CLIENT.DEPRECATE_EOF
    assert not mysql_wire.available(connection)


def test_column_kinds_follow_the_charset_and_the_enum_flag():
    connection = FakeConnection(packets([EOF_PACKET]))
    flag = pymysql.constants.FLAG
    connection._result.fields = [
        SimpleNamespace(charsetnr=63, flags=flag.BINARY),  # varbinary
        SimpleNamespace(charsetnr=45, flags=flag.ENUM | flag.NOT_NULL),
        SimpleNamespace(charsetnr=45, flags=flag.NOT_NULL),  # varchar, or text made of an enum
        SimpleNamespace(charsetnr=63, flags=flag.BINARY | flag.UNSIGNED),  # a number
    ]
    kind = mysql_wire.ColumnKind
    assert mysql_wire.column_kinds(connection) == [kind.BINARY, kind.ENUM, kind.TEXT, kind.BINARY]
