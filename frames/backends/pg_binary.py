"""PostgreSQL results with ``bytea`` columns, read by ``COPY ... TO STDOUT (FORMAT binary)``.

In CSV (and in psycopg2's own results) a ``bytea`` value travels as hex text: twice its size,
encoded by the server and decoded by the client. In binary ``COPY`` it travels as its bytes.
The query is wrapped so that every other column is cast to ``text`` (in binary ``COPY`` a
text field is its UTF-8 bytes), and those columns are converted to their Arrow types from their
text, as the CSV path converts text (:func:`frames.backends.arrow.text_to_arrow`); ``char(n)``
values come without their pad spaces (the cast drops them; fetches strip them in any case).

The stream is a signature, flags and a header extension, then one tuple per row: a 16-bit
field count, and per field a 32-bit length (-1: NULL) and its bytes; a count of -1 ends it (all
integers big-endian). Binary values are copied into Arrow chunks of about
:data:`CHUNK_BYTES` as rows arrive, so the stream's messages are let go as it is read (a
binary value is at most 1 GB in PostgreSQL: a chunk stays within ``binary``'s 2 GB).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from frames.backends.arrow import binary_array, is_binary, text_to_arrow
from frames.errors import FetchError

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
#: Bytes of binary values gathered before they are copied into an Arrow chunk.
CHUNK_BYTES = 8 << 20
_HEADER = struct.Struct(">ii")  # flags, header extension length
_COUNT = struct.Struct(">h")
_LENGTH = struct.Struct(">i")


def has_binary(schema: pa.Schema) -> bool:
    """True if a result of ``schema`` has a binary column (read better by :class:`BinaryCopy`)."""
    return any(is_binary(field.type) for field in schema)


def copy_sql(query: str, schema: pa.Schema, quote: Callable[[str], str]) -> str:
    """The binary ``COPY`` of ``query``'s result: binary columns as they are, the others as
    text (the names of ``schema`` are those of the result's columns)."""
    columns = ", ".join(
        f"q.{quote(field.name)}" if is_binary(field.type) else f"q.{quote(field.name)}::text"
        for field in schema
    )
    return f"COPY (SELECT {columns} FROM ({query}) AS q) TO STDOUT WITH (FORMAT binary)"


class BinaryCopy(io.RawIOBase):
    """The sink of a binary ``COPY ... TO STDOUT`` of :func:`copy_sql`: parses rows as the
    messages arrive; :meth:`table` gives the result as a table of the schema.

    Raises
    ------
    frames.errors.FetchError
        If the stream is not binary ``COPY`` output of the schema's width.
    """

    def __init__(self, schema: pa.Schema) -> None:
        super().__init__()
        self._schema = schema
        self._binary = [is_binary(field.type) for field in schema]
        self._values: list[list[Any]] = [[] for _ in schema]  # not yet in a chunk
        self._chunks: list[list[pa.Array]] = [[] for _ in schema]
        self._gathered = 0  # bytes of binary values in _values
        self._pending = b""  # the start of a tuple that continues in the next message
        self._started = False
        self._ended = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        """Parse the whole tuples of ``data`` (with what was left of the last message)."""
        size = len(data)
        block = self._pending + bytes(data) if self._pending else bytes(data)
        position = 0 if self._started else self._header(block)
        if position < 0:  # the header is not complete yet
            self._pending = block
            return size
        self._started = True
        view = memoryview(block)
        while not self._ended:
            end = self._tuple(block, view, position)
            if end < 0:
                break
            position = end
        self._pending = block[position:]
        if self._gathered >= CHUNK_BYTES:
            self._flush()
        return size

    def _header(self, block: bytes) -> int:
        """The position after the stream's header, or -1 if ``block`` does not hold all of it."""
        start = len(SIGNATURE) + _HEADER.size
        if len(block) < start:
            return -1
        if not block.startswith(SIGNATURE):
            raise FetchError("the server's binary COPY output has no PGCOPY signature")
        _, extension = _HEADER.unpack_from(block, len(SIGNATURE))
        return start + extension if len(block) >= start + extension else -1

    def _tuple(self, block: bytes, view: memoryview, position: int) -> int:
        """Read one tuple at ``position``; its end, or -1 if ``block`` does not hold all of it."""
        if len(block) < position + _COUNT.size:
            return -1
        (count,) = _COUNT.unpack_from(block, position)
        position += _COUNT.size
        if count == -1:
            self._ended = True
            return position
        if count != len(self._values):
            raise FetchError(
                f"the query returned {count} columns but {len(self._values)} were expected "
                f"({', '.join(self._schema.names)})"
            )
        fields: list[memoryview | bytes | None] = []
        for binary in self._binary:
            if len(block) < position + _LENGTH.size:
                return -1
            (length,) = _LENGTH.unpack_from(block, position)
            position += _LENGTH.size
            if length < 0:
                fields.append(None)
                continue
            if len(block) < position + length:
                return -1
            # binary values: views of the message until flushed; text: a small copy
            fields.append(
                view[position : position + length]
                if binary
                else block[position : position + length]
            )
            self._gathered += length if binary else 0
            position += length
        for values, value in zip(self._values, fields, strict=True):
            values.append(value)
        return position

    def _flush(self) -> None:
        """Move the gathered values into Arrow chunks (copying the binary ones)."""
        for values, chunks, field in zip(self._values, self._chunks, self._schema, strict=True):
            chunks.append(
                binary_array(values, field.type)
                if is_binary(field.type)
                else pa.array(values, pa.binary())
            )
            values.clear()
        self._gathered = 0

    def table(self) -> pa.Table:
        """The result: binary columns as they came, others converted from their text."""
        if not self._ended:
            raise FetchError("the server's binary COPY output ended before its trailer")
        if self._values[0]:
            self._flush()
        columns = [
            pa.chunked_array(chunks, field.type)
            if binary
            else pa.chunked_array(chunks, pa.binary()).cast(pa.string())
            for chunks, binary, field in zip(self._chunks, self._binary, self._schema, strict=True)
        ]
        return text_to_arrow(columns, self._schema)
