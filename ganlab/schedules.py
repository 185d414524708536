"""Learning-rate schedules used by ganlab's recipes (Keras ``LearningRateSchedule`` subclasses)."""

import keras


class HoldThenDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A learning rate held for ``hold_steps`` optimizer steps, then decayed linearly to
    ``final_fraction`` of it over ``decay_steps`` steps, and kept there."""

    def __init__(self, learning_rate, hold_steps, decay_steps, final_fraction=0.01):
        if not learning_rate > 0:
            raise ValueError(f"HoldThenDecay: learning_rate must be positive, got {learning_rate!r}.")
        if hold_steps < 0 or decay_steps < 1:
            raise ValueError(f"HoldThenDecay: hold_steps must be >= 0 and decay_steps >= 1, got {hold_steps!r} and "
                             f"{decay_steps!r} (to hold a rate throughout, pass the number itself, not a schedule).")
        if not 0 <= final_fraction <= 1:
            raise ValueError(f"HoldThenDecay: final_fraction must be between 0 and 1, got {final_fraction!r}.")
        self.learning_rate = float(learning_rate)
        self.hold_steps = int(hold_steps)
        self.decay_steps = int(decay_steps)
        self.final_fraction = float(final_fraction)

    def __call__(self, step):
        progress = keras.ops.clip((keras.ops.cast(step, "float32") - self.hold_steps) / self.decay_steps, 0.0, 1.0)
        return self.learning_rate * (1.0 - (1.0 - self.final_fraction) * progress)

    def get_config(self):
        return dict(learning_rate=self.learning_rate, hold_steps=self.hold_steps, decay_steps=self.decay_steps,
                    final_fraction=self.final_fraction)
