"""Learning-rate schedules of the published recipes (Keras ``LearningRateSchedule``s, serializable)."""

import keras


@keras.saving.register_keras_serializable(package="kerasgan")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``initial`` for ``constant_steps`` optimizer steps, then linearly to 0 over ``decay_steps`` (and 0 after).

    CycleGAN's schedule (Zhu et al. 2017, 7.1: "keep the same learning rate
    for the first 100 epochs and linearly decay the rate to zero over the
    next 100 epochs"), counted in optimizer steps.
    """

    def __init__(self, initial, constant_steps, decay_steps):
        if float(initial) <= 0 or int(constant_steps) < 0 or int(decay_steps) < 1:
            raise ValueError(
                f"need initial > 0, constant_steps >= 0 and decay_steps >= 1; got {initial}, {constant_steps}, {decay_steps}"
            )
        self.initial = float(initial)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        done = keras.ops.clip((step - self.constant_steps) / self.decay_steps, 0.0, 1.0)
        return self.initial * (1.0 - done)

    def get_config(self):
        return {"initial": self.initial, "constant_steps": self.constant_steps, "decay_steps": self.decay_steps}
