"""Maxout dense layer (Goodfellow et al. 2013)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class Maxout(keras.layers.Layer):
    """A dense layer whose units are the max over ``pieces`` affine pieces.

    Args:
        units: number of output units.
        pieces: number of linear pieces per unit.
        kernel_initializer: initializer of the ``(in, units * pieces)`` kernel.

    Example:
    >>> layer = Maxout(240, pieces=5)
    >>> layer(keras.ops.zeros((2, 784))).shape
    (2, 240)

    Reference:
        Goodfellow et al., "Maxout Networks", ICML 2013.
    """

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0 or int(pieces) <= 0:
            raise ValueError(
                f"Maxout needs positive units and pieces, got units={units}, pieces={pieces}"
            )
        self.units = int(units)
        self.pieces = int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        self.dense = keras.layers.Dense(
            self.units * self.pieces,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="dense",
        )
        self.dense.build(input_shape)

    def call(self, inputs):
        x = self.dense(inputs)
        x = ops.reshape(x, (-1, self.units, self.pieces))
        return ops.max(x, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            pieces=self.pieces,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
