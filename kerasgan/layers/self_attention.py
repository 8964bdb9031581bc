"""Self-attention over the spatial positions of a feature map (Zhang et al. 2019, SAGAN)."""

import keras
from keras import ops

from kerasgan.layers.spectral_normalization import SNConv2D


@keras.saving.register_keras_serializable(package="kerasgan")
class SelfAttention2D(keras.layers.Layer):
    """SAGAN's non-local block: ``y = x + gamma * o``.

    For the ``N = H * W`` positions of ``x`` (batch, H, W, C), with 1x1
    convolutions ``f`` (query) and ``g`` (key) to ``C / key_ratio`` channels,
    ``h`` (value) to ``C / value_ratio`` channels and ``v`` back to ``C``::

        s[j, i] = f(x_j) . g(x_i)
        beta[j, :] = softmax_i(s[j, :])           # where position j looks
        o_j = v(sum_i beta[j, i] * h(x_i))

    ``gamma`` is a learned scalar initialised to 0, so the block starts as the
    identity and the network learns how much non-local evidence to use
    (Zhang et al., section 4). ``spectral_norm=True`` spectrally normalizes
    the four 1x1 convolutions, as SAGAN does in G and D.

    Args:
        key_ratio: channels of x per query/key channel (paper: 8).
        value_ratio: channels of x per value channel (the paper's code: 2).
        spectral_norm: wrap f, g, h, v in spectral normalization.
        seed: seed of the convolutions' initialisers.

    Reference:
        Zhang, Goodfellow, Metaxas & Odena, "Self-Attention Generative
        Adversarial Networks", ICML 2019 (arXiv:1805.08318).
    """

    def __init__(self, key_ratio=8, value_ratio=2, spectral_norm=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("key_ratio", key_ratio), ("value_ratio", value_ratio)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"SelfAttention2D {name} must be a positive integer, got {value!r}")
        self.key_ratio = int(key_ratio)
        self.value_ratio = int(value_ratio)
        self.spectral_norm = bool(spectral_norm)
        self.seed = seed

    def _conv(self, filters, name, offset):
        init = keras.initializers.GlorotUniform(seed=None if self.seed is None else self.seed + offset)
        if self.spectral_norm:
            return SNConv2D(filters, 1, use_bias=False, kernel_initializer=init,
                            seed=None if self.seed is None else self.seed + 10 + offset, dtype=self.dtype_policy, name=name)
        return keras.layers.Conv2D(filters, 1, use_bias=False, kernel_initializer=init, dtype=self.dtype_policy, name=name)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"SelfAttention2D needs (batch, H, W, C) inputs with known C, got shape {tuple(input_shape)}")
        channels = int(input_shape[-1])
        if channels < self.key_ratio or channels < self.value_ratio:
            raise ValueError(
                f"SelfAttention2D on {channels} channels with key_ratio={self.key_ratio}, value_ratio={self.value_ratio} "
                f"leaves no query/value channel: use ratios <= {channels}"
            )
        self.query = self._conv(channels // self.key_ratio, "query", 0)
        self.key = self._conv(channels // self.key_ratio, "key", 1)
        self.value = self._conv(channels // self.value_ratio, "value", 2)
        self.out = self._conv(channels, "out", 3)
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.out.build(tuple(input_shape[:-1]) + (channels // self.value_ratio,))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")
        self.built = True

    def call(self, x, training=None):
        shape = ops.shape(x)
        batch, height, width = shape[0], shape[1], shape[2]
        positions = height * width
        kwargs = {"training": training} if self.spectral_norm else {}
        q = ops.reshape(self.query(x, **kwargs), (batch, positions, -1))
        k = ops.reshape(self.key(x, **kwargs), (batch, positions, -1))
        v = ops.reshape(self.value(x, **kwargs), (batch, positions, -1))
        # Attention in float32 (a softmax over H*W logits is fragile in bfloat16).
        scores = ops.matmul(ops.cast(q, "float32"), ops.transpose(ops.cast(k, "float32"), (0, 2, 1)))
        beta = ops.softmax(scores, axis=-1)  # (batch, query j, key i)
        attended = ops.cast(ops.matmul(beta, ops.cast(v, "float32")), x.dtype)
        attended = ops.reshape(attended, (batch, height, width, -1))
        return x + ops.cast(self.gamma, x.dtype) * self.out(attended, **kwargs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "key_ratio": self.key_ratio, "value_ratio": self.value_ratio,
                "spectral_norm": self.spectral_norm, "seed": self.seed}
