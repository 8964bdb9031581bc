"""Up/down-sampling with a low-pass FIR filter, StyleGAN's "upfirdn" (Karras et al. 2019; 2020)."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class Resample2D(keras.layers.Layer):
    """Upsample by zero insertion, filter, downsample: blurred 2x resampling without checkerboard artefacts.

    ``up=2``: each pixel is followed by a zero in H and W, then the result is
    filtered with ``kernel`` (outer product of the 1-D taps, normalised to
    sum 1, times ``up^2`` so a constant image keeps its value). ``down=2``:
    the image is filtered, then every second row and column is kept. With
    neither, it is a blur. Padding follows StyleGAN2's ``upsample2d``,
    ``downsample2d`` and ``filter2d``, so sizes are ``H * up / down``.

    Args:
        up: 1 or 2.
        down: 1 or 2 (not both 2).
        kernel: 1-D filter taps (default StyleGAN's binomial ``[1, 3, 3, 1]``).

    References:
        Karras, Laine & Aila, "A Style-Based Generator Architecture for GANs",
        CVPR 2019 (bilinear up/down-sampling, after Zhang 2019); Karras et al.,
        "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020.
    """

    def __init__(self, up=1, down=1, kernel=(1, 3, 3, 1), **kwargs):
        super().__init__(**kwargs)
        if up not in (1, 2) or down not in (1, 2) or (up == 2 and down == 2):
            raise ValueError(f"Resample2D takes up and down in (1, 2), not both 2; got up={up!r}, down={down!r}")
        taps = np.asarray(kernel, "float64")
        if taps.ndim != 1 or len(taps) < 1 or not np.isfinite(taps).all() or taps.sum() == 0:
            raise ValueError(f"Resample2D kernel must be a non-empty 1-D list of finite taps with a non-zero sum, got {kernel!r}")
        self.up = int(up)
        self.down = int(down)
        self.kernel = [float(t) for t in taps]
        factor = max(self.up, self.down)
        p = len(taps) - (factor if factor > 1 else 1)
        self.pad0 = (p + 1) // 2 + (self.up - 1)
        self.pad1 = p // 2
        filt = np.outer(taps, taps)
        self._filter = (filt / filt.sum() * self.up**2)[::-1, ::-1]  # flipped: a true convolution

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"Resample2D needs (batch, H, W, C) inputs with known C, got shape {tuple(input_shape)}")
        self.channels = int(input_shape[-1])
        self.built = True

    def call(self, x):
        dtype = x.dtype
        shape = ops.shape(x)
        batch, height, width = shape[0], shape[1], shape[2]
        c = self.channels
        if self.up > 1:
            x = ops.reshape(x, (batch, height, 1, width, 1, c))
            x = ops.pad(x, [[0, 0], [0, 0], [0, self.up - 1], [0, 0], [0, self.up - 1], [0, 0]])
            x = ops.reshape(x, (batch, height * self.up, width * self.up, c))
        x = ops.pad(x, [[0, 0], [self.pad0, self.pad1], [self.pad0, self.pad1], [0, 0]])
        filt = np.tile(self._filter[:, :, None, None], (1, 1, c, 1)).astype("float32")
        x = ops.depthwise_conv(x, ops.cast(filt, dtype), strides=1, padding="valid")
        if self.down > 1:
            x = x[:, :: self.down, :: self.down, :]
        return x

    def compute_output_shape(self, input_shape):
        def size(n):
            return None if n is None else n * self.up // self.down

        return (input_shape[0], size(input_shape[1]), size(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "up": self.up, "down": self.down, "kernel": list(self.kernel)}
