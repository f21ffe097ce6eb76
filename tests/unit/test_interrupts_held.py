"""``interrupts_held``: the outcome of a job is recorded whole before Ctrl-C takes effect."""

from __future__ import annotations

import os
import signal

import pytest

from frames.api.populate import interrupts_held


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_waits_for_the_end_of_the_block() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        _ctrl_c()
        done.append("recorded")
    assert done == ["recorded"]
    assert signal.getsignal(signal.SIGINT) is not None  # the handler is back


def test_a_second_ctrl_c_does_not_wait() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        _ctrl_c()
        done.append("first")
        _ctrl_c()
        done.append("second")
    assert done == ["first"]


def test_the_interrupt_wins_over_an_error_of_the_block() -> None:
    with pytest.raises(KeyboardInterrupt) as error, interrupts_held():
        _ctrl_c()
        raise ValueError("the record failed")
    assert isinstance(error.value.__context__, ValueError)


def test_without_ctrl_c_nothing_changes() -> None:
    before = signal.getsignal(signal.SIGINT)
    with interrupts_held():
        pass
    assert signal.getsignal(signal.SIGINT) is before
