"""frames' logger (DataJoint's ``datajoint.logging``): plain INFO lines, levels shown from WARNING.

The logger ``frames`` writes to standard output (``DJ_LOG_STREAM=stderr`` for standard error)
at the level ``DJ_LOG_LEVEL`` (default ``info``), through :class:`LevelAwareFormatter`. It has
the extra level ``JOBS`` (15, between DEBUG and INFO) for populate progress:
``logger.jobs("...")``. Importing frames changes nothing else: no other logger and no
``sys.excepthook``.
"""

from __future__ import annotations

import logging
import os
import sys
import types
from typing import Any

__all__ = ["JOBS", "LevelAwareFormatter", "logger"]

#: Level of job and populate status messages (DEBUG 10 < JOBS 15 < INFO 20).
JOBS = 15
logging.addLevelName(JOBS, "JOBS")


class LevelAwareFormatter(logging.Formatter):
    """``[time] message`` for INFO and below, ``[time][LEVEL]: message`` from WARNING and JOBS.

    A record's traceback (``exc_info``) and stack (``stack_info``) follow the message.
    """

    def format(self, record: logging.LogRecord) -> str:
        timestamp = self.formatTime(record, "%Y-%m-%d %H:%M:%S")
        if record.levelno >= logging.WARNING or record.levelno == JOBS:
            message = f"[{timestamp}][{record.levelname}]: {record.getMessage()}"
        else:
            message = f"[{timestamp}] {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        if record.stack_info:
            message = f"{message}\n{self.formatStack(record.stack_info)}"
        return message


def _jobs(self: logging.Logger, message: str, *args: Any, **kwargs: Any) -> None:
    """Log ``message`` at the JOBS level."""
    if self.isEnabledFor(JOBS):
        self._log(JOBS, message, args, **kwargs)


logger = logging.getLogger("frames")
logger.jobs = types.MethodType(_jobs, logger)  # type: ignore[attr-defined]

_handler = logging.StreamHandler(
    sys.stderr if os.getenv("DJ_LOG_STREAM", "stdout").lower() == "stderr" else sys.stdout
)
_handler.setFormatter(LevelAwareFormatter())
logger.setLevel(os.getenv("DJ_LOG_LEVEL", "info").upper())
logger.handlers = [_handler]
