"""Re-cutting streamed pieces into batches, and the stream object handed to users."""

from __future__ import annotations

import pyarrow as pa
import pytest

from frames.errors import FetchError
from frames.io.stream import BatchStream, check_batch_rows, rebatch


def _pieces(sizes: list[int]) -> list[pa.Table]:
    start = 0
    pieces = []
    for size in sizes:
        pieces.append(pa.table({"n": pa.array(range(start, start + size), pa.int64())}))
        start += size
    return pieces


@pytest.mark.parametrize(
    ("sizes", "batch_rows"),
    [([10, 10, 10], 10), ([3, 0, 25, 1, 7], 8), ([100], 7), ([1] * 20, 6), ([5], 50), ([], 4)],
)
def test_rebatch_cuts_the_rows_in_order_into_batches_of_the_size_asked(sizes, batch_rows):
    total = sum(sizes)
    batches = list(rebatch(_pieces(sizes), batch_rows))
    expected = [batch_rows] * (total // batch_rows) + (
        [total % batch_rows] if total % batch_rows else []
    )
    assert [b.num_rows for b in batches] == expected
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    assert [n for b in batches for n in b.column("n").to_pylist()] == list(range(total))


def test_rebatch_reads_the_pieces_as_it_goes():
    read = []

    def pieces():
        for piece in _pieces([4, 4, 4, 4]):
            read.append(piece.num_rows)
            yield piece

    batches = rebatch(pieces(), 6)
    assert next(batches).num_rows == 6
    assert read == [4, 4]  # not the whole input


@pytest.mark.parametrize("value", [0, -1, 1.5, "3", None, False])
def test_batch_rows_must_be_a_positive_integer(value):
    with pytest.raises(FetchError, match=r"q.to_arrow_batches\(\): batch_rows must be"):
        check_batch_rows(value, "q.to_arrow_batches()")
    assert check_batch_rows(3, "q") == 3


def _stream(closed: list[str]) -> BatchStream:
    schema = pa.schema([("n", pa.int64())])

    def source():
        try:
            yield from _pieces([2, 2, 2])
        finally:
            closed.append("source")

    pieces = source()
    next(pieces)  # started, as the database's iterator is when the stream is made
    return BatchStream(schema, rebatch(pieces, 2), pieces)


def test_closing_a_stream_closes_its_source_even_before_reading():
    closed: list[str] = []
    stream = _stream(closed)
    stream.close()
    assert closed == ["source"]
    with pytest.raises(StopIteration):
        stream.read_next_batch()


def test_a_stream_is_an_iterator_a_context_manager_and_an_arrow_stream():
    closed: list[str] = []
    with _stream(closed) as stream:
        assert next(stream).num_rows == 2
        assert stream.read_all().num_rows == 2  # the rest (the first piece was taken)
    assert closed == ["source"]
    exported = pa.RecordBatchReader.from_stream(_stream([]))
    assert exported.schema == pa.schema([("n", pa.int64())])
    assert exported.read_all().num_rows == 4
