"""Blob detection: an image-processing pipeline with computation, run with frames.

After DataJoint's tutorial "Blob Detection": images are stored as ``<blob>`` attributes, a
lookup table holds the detection parameters to try, and a computed table detects the bright
spots of every image with every parameter set, keeping the detections as one ``<blob>`` array
and, in its part table, one row per spot. Where the tutorial takes two pictures from
scikit-image and ``skimage.feature.blob_doh``, this example generates its images (bright
Gaussian spots on a noisy background, from fixed seeds) and detects spots with numpy alone:
Gaussian smoothing, then the pixels that are the maximum of their neighbourhood and above a
threshold.

Run ``python examples/blob_detection.py [URL]``: an in-memory DuckDB database by default, or a
``postgresql://`` / ``mysql://`` URL. The schema ``tutorial_blobs`` is dropped at the end.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import frames as dj

SCHEMA = "tutorial_blobs"
IMAGE_SHAPE = (96, 128)
#: (image_id, name, seed, number of spots, least and greatest peak) of the generated images.
IMAGES = [
    (1, "sparse field", 11, 4, 0.5, 1.0),
    (2, "crowded field", 12, 12, 0.5, 1.0),
    (3, "faint field", 13, 7, 0.25, 0.5),
]
#: (blob_paramset, sigma, radius, threshold): smoothing width (pixels), half-width of the
#: neighbourhood a blob's peak must dominate, least smoothed intensity of a peak.
PARAMETER_SETS = [
    (1, 1.0, 4, 0.30),
    (2, 1.5, 6, 0.15),
    (3, 0.0, 2, 0.15),
]
NOISE = 0.05


# ---------------------------------------------------------------------------------------------
# Images and the detector (numpy only)


def generate_image(
    seed: int, spots: int, least: float, greatest: float, shape: tuple[int, int] = IMAGE_SHAPE
) -> tuple[np.ndarray, np.ndarray]:
    """A float64 image of ``spots`` Gaussian spots (peaks from ``least`` to ``greatest``,
    widths 1 to 2 pixels) at least 10 pixels apart and 8 from the border, on Gaussian noise
    (sd :data:`NOISE`), and the spots' centres as rows ``(x, y)``."""
    rng = np.random.default_rng(seed)
    height, width = shape
    centres: list[tuple[int, int]] = []
    while len(centres) < spots:
        x, y = int(rng.integers(8, width - 8)), int(rng.integers(8, height - 8))
        if all((x - cx) ** 2 + (y - cy) ** 2 >= 100 for cx, cy in centres):
            centres.append((x, y))
    xs, ys = (np.array(centres, dtype=float).T)[:, :, None, None]
    peaks = rng.uniform(least, greatest, (spots, 1, 1))
    widths = rng.uniform(1.0, 2.0, (spots, 1, 1))
    grid_y, grid_x = np.mgrid[:height, :width]
    squared = (grid_x - xs) ** 2 + (grid_y - ys) ** 2
    image = (peaks * np.exp(-squared / (2 * widths**2))).sum(axis=0)
    return image + rng.normal(0.0, NOISE, shape), np.array(centres)


def smooth(image: np.ndarray, sigma: float) -> np.ndarray:
    """``image`` convolved with a normalised Gaussian of ``sigma`` pixels (mirrored edges); the
    image itself for ``sigma`` 0."""
    if sigma == 0:
        return image
    half = int(np.ceil(3 * sigma))
    offsets = np.arange(-half, half + 1)
    kernel = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    rows = sliding_window_view(np.pad(image, ((0, 0), (half, half)), "reflect"), kernel.size, 1)
    along_rows = rows @ kernel
    columns = sliding_window_view(
        np.pad(along_rows, ((half, half), (0, 0)), "reflect"), kernel.size, 0
    )
    return columns @ kernel


def detect_blobs(image: np.ndarray, sigma: float, radius: int, threshold: float) -> np.ndarray:
    """The blobs of ``image``: pixels of the smoothed image that are the maximum of the
    ``(2 radius + 1)``-pixel square around them and above ``threshold``.

    Returns
    -------
    numpy.ndarray
        One row ``(x, y, peak)`` per blob (float64), ordered by ``y``, then ``x``.
    """
    smoothed = smooth(image, sigma)
    padded = np.pad(smoothed, radius, constant_values=-np.inf)
    size = 2 * radius + 1
    neighbourhood = sliding_window_view(padded, (size, size)).max(axis=(2, 3))
    ys, xs = np.nonzero((smoothed == neighbourhood) & (smoothed > threshold))
    return np.column_stack([xs, ys, smoothed[ys, xs]]).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# The pipeline


def declare(schema: dj.Schema) -> SimpleNamespace:
    """Declare the pipeline's tables in ``schema``; return them by name."""

    @schema
    class Image(dj.Manual):
        definition = """
        # images for blob detection
        image_id : int16
        ---
        image_name : varchar(100)
        n_spots : int16  # spots placed in the generated image
        image : <blob>   # 2-D float64 array
        """

    @schema
    class BlobParamSet(dj.Lookup):
        definition = """
        # parameters of the blob detector
        blob_paramset : int16
        ---
        sigma : float64        # Gaussian smoothing (pixels)
        radius : int16         # half-width of the neighbourhood a peak must dominate
        threshold : float64    # least smoothed intensity of a blob
        """
        contents = [
            dict(zip(("blob_paramset", "sigma", "radius", "threshold"), row, strict=True))
            for row in PARAMETER_SETS
        ]

    @schema
    class Detection(dj.Computed):
        definition = """
        # the blobs of one image found with one parameter set
        -> Image
        -> BlobParamSet
        ---
        nblobs : int32
        blobs : <blob>   # (nblobs, 3) float64 array of x, y, peak
        """

        class Blob(dj.Part):
            definition = """
            # one detected blob
            -> master
            blob_id : int32
            ---
            x : int32
            y : int32
            peak : float64   # smoothed intensity at the blob's centre
            """

        def make(self, key):
            image = (Image & key).fetch1("image")
            sigma, radius, threshold = (BlobParamSet & key).fetch1("sigma", "radius", "threshold")
            blobs = detect_blobs(image, sigma, radius, threshold)
            self.insert1({**key, "nblobs": len(blobs), "blobs": blobs})
            self.Blob.insert(
                {**key, "blob_id": i, "x": int(x), "y": int(y), "peak": float(peak)}
                for i, (x, y, peak) in enumerate(blobs)
            )

    @schema
    class SelectDetection(dj.Manual):
        definition = """
        # the parameter set chosen for each image
        -> Image
        ---
        -> BlobParamSet
        """

    return SimpleNamespace(
        Image=Image, BlobParamSet=BlobParamSet, Detection=Detection, SelectDetection=SelectDetection
    )


def run(connection: dj.Connection) -> SimpleNamespace:
    """Declare the pipeline in a fresh schema :data:`SCHEMA`, insert the images, populate the
    detections and choose, for each image, the parameter set that found the number of spots
    placed in it (or the nearest number). Returns the tables (the schema is ``tables.schema``)."""
    if connection.backend.schema_exists(SCHEMA):
        connection.backend.drop_schema(SCHEMA)
    schema = dj.Schema(SCHEMA, connection=connection)
    tables = declare(schema)
    tables.schema = schema
    tables.Image.insert(
        {
            "image_id": image_id,
            "image_name": name,
            "n_spots": spots,
            "image": generate_image(seed, spots, least, greatest)[0],
        }
        for image_id, name, seed, spots, least, greatest in IMAGES
    )
    tables.Detection.populate()
    # the parameter set whose count is nearest the number of spots placed (the first of equals)
    error = (tables.Detection * tables.Image).proj(error="abs(nblobs - n_spots)")
    for image_id, *_ in IMAGES:
        best = (error & {"image_id": image_id}).to_dicts(
            order_by=["error", "blob_paramset"], limit=1
        )
        tables.SelectDetection.insert1(
            {"image_id": image_id, "blob_paramset": best[0]["blob_paramset"]}
        )
    return tables


def main(url: str = "duckdb://") -> None:
    """Run the pipeline on the database at ``url``, print what it found, drop the schema."""
    connection = dj.connect(url)
    tables = run(connection)
    Image, Detection = tables.Image, tables.Detection
    print("# Images")
    print(repr(Image.proj("image_name", "n_spots")))
    print("# Parameter sets")
    print(repr(tables.BlobParamSet()))
    print("# Blobs found per image and parameter set")
    print(repr(Detection.proj("nblobs")))
    print("# The chosen parameter set of each image, with its blobs")
    chosen = Detection * tables.SelectDetection
    print(repr(chosen.proj("nblobs")))
    print(repr(Detection.Blob & tables.SelectDetection))
    first = (chosen & {"image_id": 1}).fetch1("blobs")
    print(f"# Image 1: {first.shape[0]} blobs as a {first.dtype} array of shape {first.shape}")
    print(first)
    tables.schema.drop(prompt=False)
    connection.close()


if __name__ == "__main__":
    main(*sys.argv[1:2])
