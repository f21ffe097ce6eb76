"""The soak tests run only with ``FRAMES_SOAK=1`` (they take minutes); otherwise pytest does not
even collect them."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("FRAMES_SOAK") == "1" else ["test_*.py"]
