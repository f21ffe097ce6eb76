"""frames' logger: DataJoint's formatter and JOBS level, no process-wide side effects."""

from __future__ import annotations

import logging
import sys

from frames.logging import JOBS, LevelAwareFormatter, logger


def _record(level: int, **kwargs) -> logging.LogRecord:
    return logging.LogRecord("frames", level, __file__, 0, "hello %s", ("you",), **kwargs)


def test_levels_are_shown_from_warning_and_for_jobs() -> None:
    formatter = LevelAwareFormatter()
    assert formatter.format(_record(logging.INFO, exc_info=None)).endswith("] hello you")
    assert "][WARNING]: hello you" in formatter.format(_record(logging.WARNING, exc_info=None))
    assert "][JOBS]: hello you" in formatter.format(_record(JOBS, exc_info=None))


def test_tracebacks_and_stacks_are_kept() -> None:
    formatter = LevelAwareFormatter()
    try:
        raise ValueError("specific failure")
    except ValueError:
        record = _record(logging.ERROR, exc_info=sys.exc_info())
    text = formatter.format(record)
    assert "Traceback (most recent call last)" in text and "ValueError: specific failure" in text
    stacked = _record(logging.WARNING, exc_info=None, sinfo="Stack:\n  frame")
    assert formatter.format(stacked).endswith("Stack:\n  frame")


def test_logger_has_a_jobs_method_and_leaves_the_excepthook(caplog) -> None:
    assert logger.name == "frames" and sys.excepthook is sys.__excepthook__
    assert isinstance(logger.handlers[0].formatter, LevelAwareFormatter)
    level = logger.level
    try:
        logger.setLevel(JOBS)
        with caplog.at_level(JOBS, logger="frames"):
            logger.jobs("populating %s", "Scan")
            logger.setLevel(logging.INFO)
            logger.jobs("hidden")
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            ("JOBS", "populating Scan")
        ]
    finally:
        logger.setLevel(level)
    assert "jobs" in vars(logger)  # bound to frames' logger, logging.Logger is left alone
