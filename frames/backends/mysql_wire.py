"""Result rows read straight from a pymysql connection's socket buffer.

pymysql parses every row packet in Python: a packet object, then a length-coded read, a decode
and a converter call per field, about 2 µs per row before any value is used. For the large
results frames streams (:meth:`frames.backends.mysql.MySQLBackend._fetch_arrow_on`),
:func:`read_columns` takes over once pymysql has executed the query and read its column
descriptions: it pulls the row packets from the connection's buffered socket a chunk at a time
and slices each row's fields out as ``bytes`` (a third of pymysql's time), which the caller
hands to Arrow a batch at a time.

This is MySQL's text protocol, the one pymysql speaks: a packet is a 3-byte little-endian
length, a sequence number and the payload; a row's payload is one length-coded string per
column (``0xFB`` for NULL); the rows end with an EOF packet (``0xFE``, shorter than 9 bytes) or
an error packet (``0xFF``). Sequence numbers are checked as pymysql checks them, an error packet
raises pymysql's own exception for it, and the end of the rows leaves the connection and its
result object as pymysql leaves them, ready for the next statement. A consumer that stops early
has the rest of the rows read and dropped (as pymysql's ``SSCursor.close`` does), so the
connection, and any transaction on it, survives; only a broken stream closes it, or
:func:`abandon`, for a connection about to be closed anyway.

The reader uses pymysql internals that are stable across its 1.x releases (``_rfile``,
``_result``, ``_next_seq_id``, ``_force_close``); :func:`available` checks them, and callers
fall back to pymysql's own rows where it says no.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

from pymysql import err
from pymysql.constants import CLIENT, CR, FLAG, SERVER_STATUS

#: Bytes asked of the socket per read.
_CHUNK = 1 << 20
_NULL = 0xFB
_TWO_BYTES, _THREE_BYTES, _EIGHT_BYTES = 0xFC, 0xFD, 0xFE
_EOF = 0xFE
_ERROR = 0xFF
#: A payload of this length continues in the next packet.
_MAX_PAYLOAD = 0xFFFFFF
#: The character set number of binary strings.
_BINARY_CHARSET = 63

Column = list[bytes | None]
#: Bytes of packets read into one batch at most (give or take a chunk or a row): a batch of
#: large values is turned into Arrow before the next is read.
BATCH_BYTES = 64 << 20


def available(connection: Any) -> bool:
    """True if ``connection`` has an unbuffered result in progress that this reader can take
    over (a pymysql 1.x connection, rows ended by EOF packets)."""
    result = getattr(connection, "_result", None)
    return (
        getattr(result, "unbuffered_active", False) is True
        and callable(getattr(getattr(connection, "_rfile", None), "read1", None))
        and isinstance(getattr(connection, "_next_seq_id", None), int)
        and callable(getattr(connection, "_force_close", None))
        and not getattr(connection, "client_flag", 0) & getattr(CLIENT, "DEPRECATE_EOF", 0)
    )


def read_columns(
    connection: Any, width: int, batch_rows: int, batch_bytes: int = BATCH_BYTES
) -> Iterator[list[Column]]:
    """Yield the rows of ``connection``'s unbuffered result as batches of ``width`` columns.

    Each value is the ``bytes`` of its text (as the server sent it) or ``None`` for NULL; each
    batch holds at least ``batch_rows`` rows, or rows of at least ``batch_bytes`` bytes, except
    the last (which may be empty).

    Raises
    ------
    pymysql.err.MySQLError
        The server's error if the statement fails while sending rows; ``OperationalError``
        (2013) if the connection is lost, ``InternalError`` if the stream is not a result of
        ``width`` columns (the connection is then closed).
    """
    stream = _Stream(connection)
    try:
        while stream.active:
            columns: list[Column] = [[] for _ in range(width)]
            try:
                stream.read_rows(columns, batch_rows, batch_bytes)
            except (IndexError, ValueError) as exc:  # a field runs past its packet
                stream.fail(f"a row is not {width} length-coded fields: {exc}")
            yield columns
    finally:
        result = getattr(connection, "_result", None)
        if stream.active and getattr(result, "unbuffered_active", False):
            stream.skip_rest()


def abandon(connection: Any) -> None:
    """Close ``connection`` in the middle of its unbuffered result, without reading the rest
    of the rows: the result is marked read, so that neither :func:`read_columns` nor pymysql's
    cursor waits for rows that will not come. For a connection that is closed next (a
    streamed result the consumer stopped early); the server stops the query when it finds
    the client gone."""
    result = getattr(connection, "_result", None)
    if result is not None:
        result.unbuffered_active = False
    connection._force_close()


class _Stream:
    """The packets of one result, read from the socket into :attr:`buffer` chunk by chunk."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.seq: int = connection._next_seq_id
        self.buffer = b""
        self.pos = 0
        #: False once the result has ended, or the stream broke (the connection is closed).
        self.active = True

    # -- rows -------------------------------------------------------------------------------
    def read_rows(self, columns: list[Column], batch_rows: int, batch_bytes: int) -> None:
        """Append rows to ``columns`` until it holds ``batch_rows`` rows, or rows read from at
        least ``batch_bytes`` bytes of packets (checked between chunks), or the result ends."""
        appends = [column.append for column in columns]
        count = taken = 0
        while count < batch_rows and taken < batch_bytes:
            self._fill()
            buffer, pos, end, seq = self.buffer, self.pos, len(self.buffer), self.seq
            taken += end - pos
            while pos + 4 <= end:
                size = buffer[pos] | buffer[pos + 1] << 8 | buffer[pos + 2] << 16
                stop = pos + 4 + size
                if stop > end or size == _MAX_PAYLOAD:
                    break
                if buffer[pos + 3] != seq:
                    self._fail_sequence(buffer[pos + 3], seq)
                seq = (seq + 1) & 0xFF
                head = buffer[pos + 4]
                if head == _ERROR or (head == _EOF and size < 9):
                    self.pos, self.seq = stop, seq
                    self._end(buffer[pos + 4 : stop])
                    return
                p = pos + 4
                for append in appends:
                    length = buffer[p]
                    if length < _NULL:
                        p += 1
                        append(buffer[p : p + length])
                        p += length
                    elif length == _NULL:
                        append(None)
                        p += 1
                    else:
                        p = _long_field(buffer, p, append)
                if p != stop:
                    self.fail(
                        f"a row of {len(appends)} columns ends at byte {p - pos - 4} "
                        f"of its packet of {size} bytes"
                    )
                pos = stop
                count += 1
            self.pos, self.seq = pos, seq
            if self._joined_row(appends):
                count += 1

    def _joined_row(self, appends: list[Any]) -> bool:
        """Read the next row if it is longer than one packet and all its packets are here."""
        payload = self._joined_payload()
        if payload is None:
            return False
        p = 0
        for append in appends:
            if payload[p] == _NULL:
                append(None)
                p += 1
            else:
                p = _long_field(payload, p, append)
        if p != len(payload):
            self.fail(
                f"a row of {len(appends)} columns ends at byte {p} of its {len(payload)} bytes"
            )
        return True

    def _joined_payload(self) -> bytes | None:
        """The payload of a row sent in several packets, consumed, if all of them are here."""
        buffer, pos, seq = self.buffer, self.pos, self.seq
        parts: list[bytes] = []
        size = _MAX_PAYLOAD
        while size == _MAX_PAYLOAD:
            if pos + 4 > len(buffer):
                return None
            size = buffer[pos] | buffer[pos + 1] << 8 | buffer[pos + 2] << 16
            if pos + 4 + size > len(buffer) or (not parts and size < _MAX_PAYLOAD):
                return None
            if buffer[pos + 3] != seq:
                self._fail_sequence(buffer[pos + 3], seq)
            seq = (seq + 1) & 0xFF
            parts.append(buffer[pos + 4 : pos + 4 + size])
            pos += 4 + size
        self.pos, self.seq = pos, seq
        return b"".join(parts)

    def skip_rest(self) -> None:
        """Read and drop the rest of the rows (a consumer stopped early)."""
        continued = False  # the packet continues a payload of the maximum length
        while True:
            self._fill()
            buffer, pos, end = self.buffer, self.pos, len(self.buffer)
            while pos + 4 <= end:
                size = buffer[pos] | buffer[pos + 1] << 8 | buffer[pos + 2] << 16
                if pos + 4 + size > end:
                    break
                self.seq = (self.seq + 1) & 0xFF
                head = buffer[pos + 4] if size else None
                pos += 4 + size
                if not continued and (head == _ERROR or (head == _EOF and size < 9)):
                    self.pos = pos
                    self._release(has_next=False)
                    return
                continued = size == _MAX_PAYLOAD
            self.pos = pos

    # -- the socket -------------------------------------------------------------------------
    def _fill(self) -> None:
        """Read until a whole row (or the end) is buffered, dropping the consumed bytes.

        A row longer than a chunk is gathered in a list and joined once, not copied per chunk.
        """
        missing = _missing(self.buffer, self.pos)
        if not missing:
            return
        parts = [self.buffer[self.pos :]]
        while missing > 0:
            got = 0
            while got < missing:
                try:
                    chunk = self.connection._rfile.read1(max(_CHUNK, missing - got))
                except OSError as exc:
                    self._lost(f" ({exc})")
                if not chunk:
                    self._lost("")
                parts.append(chunk)
                got += len(chunk)
            self.buffer = parts[0] = b"".join(parts)
            del parts[1:]
            missing = _missing(self.buffer, 0)
        self.pos = 0

    def _end(self, payload: bytes) -> None:
        """The packet after the last row: an EOF packet, or the server's error."""
        if payload[0] == _ERROR:
            self._release(has_next=False)
            err.raise_mysql_exception(payload)
        result = self.connection._result
        result.warning_count = payload[1] | payload[2] << 8
        status = payload[3] | payload[4] << 8
        self._release(has_next=bool(status & SERVER_STATUS.SERVER_MORE_RESULTS_EXISTS))

    def _release(self, has_next: bool) -> None:
        """Mark the result read, as pymysql does; nothing may follow the last packet."""
        self.active = False
        result = self.connection._result
        result.unbuffered_active = False
        result.connection = None
        result.has_next = has_next
        self.connection._next_seq_id = self.seq
        if self.pos != len(self.buffer):
            self.fail(f"{len(self.buffer) - self.pos} bytes follow the end of the result")

    def _lost(self, detail: str) -> None:
        self.active = False
        self.connection._force_close()
        raise err.OperationalError(
            CR.CR_SERVER_LOST, f"Lost connection to MySQL server during query{detail}"
        )

    def _fail_sequence(self, got: int, expected: int) -> None:
        self.fail(f"packet sequence number wrong - got {got} expected {expected}")

    def fail(self, message: str) -> None:
        """Close the connection (its stream cannot be read on) and raise ``InternalError``."""
        self.active = False
        self.connection._force_close()
        raise err.InternalError(message)


def _missing(buffer: bytes, pos: int) -> int:
    """How many more bytes at least ``buffer`` needs to hold the whole row at ``pos``."""
    end = len(buffer)
    while True:
        if pos + 4 > end:
            return pos + 4 - end
        size = buffer[pos] | buffer[pos + 1] << 8 | buffer[pos + 2] << 16
        pos += 4 + size
        if pos > end:
            return pos - end
        if size < _MAX_PAYLOAD:
            return 0


def _long_field(buffer: bytes, p: int, append: Any) -> int:
    """Append the field at ``p`` whose length takes 2, 3 or 8 bytes; return the next offset."""
    marker = buffer[p]
    if marker == _TWO_BYTES:
        length, p = int.from_bytes(buffer[p + 1 : p + 3], "little"), p + 3
    elif marker == _THREE_BYTES:
        length, p = int.from_bytes(buffer[p + 1 : p + 4], "little"), p + 4
    elif marker == _EIGHT_BYTES:
        length, p = int.from_bytes(buffer[p + 1 : p + 9], "little"), p + 9
    elif marker < _NULL:
        length, p = marker, p + 1
    else:
        raise ValueError(f"invalid length-coded field marker 0x{marker:02X}")
    if p + length > len(buffer):
        raise ValueError("a field runs past the end of its row")
    append(buffer[p : p + length])
    return p + length


class ColumnKind(enum.Enum):
    """How the values of a result column are sent, as the column description says."""

    #: Binary strings (character set 63): bytes, as pymysql leaves them.
    BINARY = "binary"
    #: An enum column: the members' UTF-8 text, few distinct values.
    ENUM = "enum"
    #: Anything else: UTF-8 text.
    TEXT = "text"


def column_kinds(connection: Any) -> list[ColumnKind]:
    """The :class:`ColumnKind` of each column of ``connection``'s result (a column read from
    an enum keeps the server's ``ENUM_FLAG`` through derived tables, not through unions or
    expressions)."""
    return [
        ColumnKind.BINARY
        if field.charsetnr == _BINARY_CHARSET
        else ColumnKind.ENUM
        if field.flags & FLAG.ENUM
        else ColumnKind.TEXT
        for field in connection._result.fields
    ]
