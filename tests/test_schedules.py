"""Tests for ganlab.schedules: learning-rate schedules."""

import pytest

from ganlab.schedules import HoldThenDecay


def test_hold_then_decay_holds_then_decays_linearly_to_one_percent():
    schedule = HoldThenDecay(1e-3, hold_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 100, 125, 150, 1000)]
    assert values == pytest.approx([1e-3, 1e-3, 1e-3 * (1 - 0.99 * 0.5), 1e-5, 1e-5], rel=1e-5)
    assert HoldThenDecay(**schedule.get_config()).get_config() == schedule.get_config()


@pytest.mark.parametrize("arguments, wrong", [
    (dict(learning_rate=0.0, hold_steps=10, decay_steps=10), "learning_rate must be positive, got 0.0"),
    (dict(learning_rate=1e-3, hold_steps=-1, decay_steps=10),
     "hold_steps must be >= 0 and decay_steps >= 1, got -1 and 10"),
    (dict(learning_rate=1e-3, hold_steps=10, decay_steps=0),
     "hold_steps must be >= 0 and decay_steps >= 1, got 10 and 0"),
    (dict(learning_rate=1e-3, hold_steps=10, decay_steps=10, final_fraction=1.5),
     "final_fraction must be between 0 and 1, got 1.5"),
])
def test_hold_then_decay_refuses_arguments_it_cannot_follow(arguments, wrong):
    with pytest.raises(ValueError, match=wrong):
        HoldThenDecay(**arguments)
