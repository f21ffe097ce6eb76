"""The benchmark's deterministic workload: the tutorial's four tables, scaled.

At scale 1 there are 20 researchers, 1,000 subjects, 50,000 sessions (50 per subject) and
1,000,000 recordings (20 per session). The data is generated from a fixed seed as Arrow tables,
the form every contestant starts from, so that each run of each tool inserts the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

import frames as dj

SEED = 20240601
FULL_SIZE = {"researcher": 20, "subject": 1_000, "session": 50_000, "recording": 1_000_000}
TABLES = ("researcher", "subject", "session", "recording")
RECORDING_KEY = ("subject_id", "session_date", "recording_id")

DEFINITIONS = {
    "Researcher": """
    researcher_id : int32
    ---
    researcher_name : varchar(100)
    email : varchar(100)
    """,
    "Subject": """
    subject_id : int32
    ---
    species : varchar(32)
    date_of_birth : date
    sex : enum('M', 'F', 'unknown')
    """,
    "Session": """
    -> Subject
    session_date : date
    ---
    -> Researcher
    session_notes : varchar(255)
    """,
    "Recording": """
    -> Session
    recording_id : int16
    ---
    duration : decimal(5,1) # recording duration (seconds)
    quality : enum('good', 'fair', 'poor')
    """,
}


@dataclass(frozen=True)
class Workload:
    """The generated rows of the four tables at one scale, as Arrow tables."""

    scale: float
    tables: dict[str, pa.Table]

    @property
    def total_rows(self) -> int:
        """Rows of all four tables together."""
        return sum(t.num_rows for t in self.tables.values())

    def sample_keys(self, count: int) -> list[dict[str, Any]]:
        """``count`` recording keys drawn with a fixed seed (for ``fetch1``)."""
        recordings = self.tables["recording"]
        rng = np.random.default_rng(SEED + 1)
        rows = rng.integers(0, recordings.num_rows, size=count)
        return recordings.select(list(RECORDING_KEY)).take(pa.array(rows)).to_pylist()


def generate(scale: float) -> Workload:
    """The workload at ``scale`` (1.0: one million recordings), identical on every call.

    Parameters
    ----------
    scale : float
        Multiplies every table's size (at least one row each).

    Returns
    -------
    Workload
    """
    sizes = {name: max(1, round(n * scale)) for name, n in FULL_SIZE.items()}
    rng = np.random.default_rng(SEED)
    n_res, n_sub = sizes["researcher"], sizes["subject"]
    per_subject = max(1, sizes["session"] // n_sub)
    per_session = max(1, sizes["recording"] // (n_sub * per_subject))

    researcher_ids = np.arange(1, n_res + 1, dtype=np.int32)
    researcher = pa.table(
        {
            "researcher_id": researcher_ids,
            "researcher_name": [f"Researcher {i}" for i in researcher_ids],
            "email": [f"researcher{i}@lab.org" for i in researcher_ids],
        }
    )

    subject_ids = np.arange(1, n_sub + 1, dtype=np.int32)
    born = np.datetime64("2020-01-01") + rng.integers(0, 1500, n_sub).astype("timedelta64[D]")
    subject = pa.table(
        {
            "subject_id": subject_ids,
            "species": pa.array(rng.choice(["mouse", "rat", "zebrafish"], n_sub)),
            "date_of_birth": pa.array(born, pa.date32()),
            "sex": pa.array(rng.choice(["M", "F", "unknown"], n_sub, p=[0.45, 0.45, 0.1])),
        }
    )

    n_ses = n_sub * per_subject
    session_subject = np.repeat(subject_ids, per_subject)
    offsets = np.tile(np.arange(per_subject) * 7, n_sub).astype("timedelta64[D]")
    session_dates = np.datetime64("2024-01-01") + offsets
    session = pa.table(
        {
            "subject_id": session_subject,
            "session_date": pa.array(session_dates, pa.date32()),
            "researcher_id": pa.array(rng.integers(1, n_res + 1, n_ses).astype(np.int32)),
            "session_notes": pa.array(
                rng.choice(
                    ["baseline", "follow-up", "drug trial", "training day", "imaging session"],
                    n_ses,
                )
            ),
        }
    )

    n_rec = n_ses * per_session
    tenths = rng.integers(10, 10_000, n_rec)
    words = np.zeros((n_rec, 2), dtype=np.int64)  # decimal128: 16-byte integers of tenths
    words[:, 0] = tenths
    duration = pa.Array.from_buffers(pa.decimal128(5, 1), n_rec, [None, pa.py_buffer(words)])
    recording = pa.table(
        {
            "subject_id": np.repeat(session_subject, per_session),
            "session_date": pa.array(np.repeat(session_dates, per_session), pa.date32()),
            "recording_id": np.tile(np.arange(1, per_session + 1, dtype=np.int16), n_ses),
            "duration": duration,
            "quality": pa.array(rng.choice(["good", "fair", "poor"], n_rec, p=[0.5, 0.3, 0.2])),
        }
    )
    return Workload(
        scale,
        {"researcher": researcher, "subject": subject, "session": session, "recording": recording},
    )


def declare(schema_name: str, connection: dj.Connection) -> dict[str, type]:
    """Create the schema with the tutorial's four tables; return the classes by table name."""
    schema = dj.Schema(schema_name, connection=connection)
    classes: dict[str, type] = {}
    for class_name, definition in DEFINITIONS.items():
        cls = type(class_name, (dj.Manual,), {"definition": definition, "__module__": __name__})
        classes[class_name.lower()] = schema(
            cls, context=dict({name.title(): c for name, c in classes.items()})
        )
    return classes
