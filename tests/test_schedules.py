"""Tests for ganlab.schedules: learning-rate schedules."""

import pytest

from ganlab.schedules import HoldThenDecay


def test_hold_then_decay_holds_then_decays_linearly_to_one_percent():
    schedule = HoldThenDecay(1e-3, hold_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 100, 125, 150, 1000)]
    assert values == pytest.approx([1e-3, 1e-3, 1e-3 * (1 - 0.99 * 0.5), 1e-5, 1e-5], rel=1e-5)
    assert HoldThenDecay(**schedule.get_config()).get_config() == schedule.get_config()
