"""Reflection padding (no border artefacts from zeros), as in the ResNet generators of CycleGAN."""

import keras


@keras.saving.register_keras_serializable(package="kerasgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads H and W by mirroring the image without repeating its edge (``numpy.pad(mode="reflect")``).

    Keras has ``ZeroPadding2D`` only; Johnson et al. 2016 and CycleGAN (Zhu
    et al. 2017) pad with reflections before their 7x7 and 3x3 convolutions.

    Args:
        padding: pixels added on each side of H and W (an int, or ``(ph, pw)``);
            each must be smaller than the image's size along that axis.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = (padding, padding)
        padding = tuple(int(p) for p in padding)
        if len(padding) != 2 or min(padding) < 0:
            raise ValueError(f"padding must be an int >= 0 or a pair (ph, pw), got {padding!r}")
        self.padding = padding

    def call(self, inputs):
        ph, pw = self.padding
        return keras.ops.pad(inputs, [[0, 0], [ph, ph], [pw, pw], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        ph, pw = self.padding
        return (n, None if h is None else h + 2 * ph, None if w is None else w + 2 * pw, c)

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding)}
