"""The blob-detection pipeline (``examples/blob_detection.py``) on every backend.

The detections stored by the pipeline (the ``<blob>`` array of each ``Detection`` and its
``Detection.Blob`` rows) are compared with blobs computed here by a separate numpy
implementation of the same detector: a direct 2-D convolution with the Gaussian's outer product
(the example convolves rows, then columns) and a peak test by comparison with every shifted
neighbour (the example takes a sliding-window maximum).
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import frames as dj

_PATH = Path(__file__).resolve().parents[2] / "examples" / "blob_detection.py"
_SPEC = importlib.util.spec_from_file_location("blob_detection", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
example = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(example)


def expected_blobs(
    image: np.ndarray, sigma: float, radius: int, threshold: float
) -> dict[tuple[int, int], float]:
    """``(x, y)`` → smoothed intensity of every blob, computed without the example's code."""
    height, width = image.shape
    smoothed = image
    if sigma:
        half = math.ceil(3 * sigma)
        line = np.exp(-(np.arange(-half, half + 1) ** 2) / (2 * sigma**2))
        kernel = np.outer(line, line) / line.sum() ** 2
        padded = np.pad(image, half, mode="reflect")
        smoothed = sum(
            kernel[i, j] * padded[i : i + height, j : j + width]
            for i, j in itertools.product(range(2 * half + 1), repeat=2)
        )
    walled = np.pad(smoothed, radius, constant_values=-np.inf)
    dominant = np.ones(image.shape, dtype=bool)
    for dy, dx in itertools.product(range(2 * radius + 1), repeat=2):
        dominant &= smoothed >= walled[dy : dy + height, dx : dx + width]
    ys, xs = np.nonzero(dominant & (smoothed > threshold))
    return {(int(x), int(y)): float(smoothed[y, x]) for x, y in zip(xs, ys, strict=True)}


@pytest.fixture
def pipeline(backend_url: str):
    connection = dj.connect(backend_url)
    try:
        yield example.run(connection)
    finally:
        connection.backend.drop_schema(example.SCHEMA)
        connection.close()


def _images() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {
        image_id: example.generate_image(seed, spots, least, greatest)
        for image_id, _, seed, spots, least, greatest in example.IMAGES
    }


def test_images_come_back_as_they_were_inserted(pipeline):
    fetched = {row["image_id"]: row["image"] for row in pipeline.Image.to_dicts()}
    for image_id, (image, _) in _images().items():
        assert fetched[image_id].dtype == np.float64
        assert fetched[image_id].shape == (96, 128)
        assert fetched[image_id].tobytes() == image.tobytes()


def test_every_detection_holds_the_blobs_numpy_finds(pipeline):
    images = _images()
    parameters = {row[0]: row[1:] for row in example.PARAMETER_SETS}
    detections = pipeline.Detection.to_dicts()
    assert len(detections) == len(images) * len(parameters)
    total = 0
    for detection in detections:
        key = {k: detection[k] for k in ("image_id", "blob_paramset")}
        expected = expected_blobs(images[key["image_id"]][0], *parameters[key["blob_paramset"]])
        blobs = detection["blobs"]
        assert blobs.dtype == np.float64 and blobs.shape == (len(expected), 3)
        assert detection["nblobs"] == len(expected)
        rows = (pipeline.Detection.Blob & key).to_dicts(order_by="blob_id")
        assert [r["blob_id"] for r in rows] == list(range(len(expected)))
        assert {(r["x"], r["y"]) for r in rows} == set(expected)
        for row, (x, y, peak) in zip(rows, blobs.tolist(), strict=True):
            assert (row["x"], row["y"]) == (x, y)  # the part rows in the array's order
            assert row["peak"] == peak
            assert peak == pytest.approx(expected[row["x"], row["y"]], rel=1e-12)
        total += len(expected)
    assert len(pipeline.Detection.Blob()) == total


def test_the_bright_spots_are_found_where_they_were_placed(pipeline):
    _, centres = _images()[1]  # the sparse field, with the first parameter set
    rows = (pipeline.Detection.Blob & {"image_id": 1, "blob_paramset": 1}).to_dicts()
    found = np.array([(r["x"], r["y"]) for r in rows])
    distances = np.linalg.norm(found[:, None, :] - centres[None, :, :], axis=2)
    assert len(found) == len(centres)
    assert (distances.min(axis=0) <= 1.5).all()  # a blob on every spot
    assert (distances.min(axis=1) <= 1.5).all()  # and no blob elsewhere


def test_the_chosen_parameter_set_finds_the_number_of_spots_placed(pipeline):
    images = _images()
    chosen = {r["image_id"]: r["blob_paramset"] for r in pipeline.SelectDetection.to_dicts()}
    for image_id, _, _, spots, *_ in example.IMAGES:
        errors = {
            paramset: abs(len(expected_blobs(images[image_id][0], *rest)) - spots)
            for paramset, *rest in example.PARAMETER_SETS
        }
        assert chosen[image_id] == min(errors, key=lambda p: (errors[p], p))


def test_main_prints_the_results_and_drops_the_schema(backend_url, capsys):
    example.main(backend_url)
    out = capsys.readouterr().out
    assert "# Blobs found per image and parameter set" in out and "Total: 9" in out
    assert "blobs as a float64 array of shape" in out
    if not backend_url.startswith("duckdb"):  # an in-memory DuckDB database is gone anyway
        connection = dj.connect(backend_url)
        assert not connection.backend.schema_exists(example.SCHEMA)
        connection.close()
