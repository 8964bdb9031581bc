"""Sub-pixel convolution's rearrangement (Shi et al. 2016), as in SRGAN's upsampling blocks."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelShuffle(keras.layers.Layer):
    """Rearranges ``(N, H, W, C * r * r)`` into ``(N, H * r, W * r, C)``: depth to space.

    Channel ``(i * r + j) * C + c`` at ``(h, w)`` becomes channel ``c`` at
    ``(h * r + i, w * r + j)``, the ordering of ``tf.nn.depth_to_space``
    (DCR). After a convolution with ``C * r * r`` filters this is the
    efficient sub-pixel convolution layer: an upsampling by ``r`` learned as
    ``r * r`` interleaved convolutions, without the checkerboard overlap of
    transposed convolutions. Works on any height and width.

    Args:
        scale: r, the upsampling factor (an integer >= 2).

    Reference:
        Shi et al., "Real-Time Single Image and Video Super-Resolution Using
        an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016
        (arXiv:1609.05158).
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or int(scale) != scale or scale < 2:
            raise ValueError(f"PixelShuffle scale must be an integer >= 2, got {scale!r}")
        self.scale = int(scale)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None or input_shape[-1] % (self.scale**2):
            raise ValueError(
                f"PixelShuffle(scale={self.scale}) needs (batch, H, W, C) inputs with C divisible by "
                f"{self.scale ** 2}, got shape {tuple(input_shape)}"
            )
        self.built = True

    def call(self, x):
        r = self.scale
        shape = ops.shape(x)
        n, h, w, c = shape[0], shape[1], shape[2], x.shape[-1] // (r * r)
        y = ops.reshape(x, (n, h, w, r, r, c))
        y = ops.transpose(y, (0, 1, 3, 2, 4, 5))  # (n, h, i, w, j, c)
        return ops.reshape(y, (n, h * r, w * r, c))

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.scale
        return (n, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
