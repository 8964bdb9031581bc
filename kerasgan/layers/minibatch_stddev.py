"""Minibatch standard deviation feature (Karras et al. 2018, ProGAN)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStdDev(keras.layers.Layer):
    """Appends one channel: the average standard deviation of features within a group of samples.

    The batch of ``N`` is split into ``N / group_size`` groups of
    ``group_size`` samples, strided as in the paper's code: sample ``n`` is in
    group ``n mod (N / group_size)``. For each group, the standard deviation over its members of every feature at every
    position is averaged into one number, which becomes a constant extra
    channel of each member's feature map. A discriminator seeing it can tell
    a batch of too-similar samples apart (section 3 of the paper).

    Args:
        group_size: samples per group (paper: 4); the batch must be divisible
            by it, or be smaller (then the whole batch is one group).
        epsilon: added to the variance before the square root.

    Reference:
        Karras, Aila, Laine & Lehtinen, "Progressive Growing of GANs for
        Improved Quality, Stability, and Variation", ICLR 2018 (arXiv:1710.10196).
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if isinstance(group_size, bool) or int(group_size) != group_size or group_size < 1:
            raise ValueError(f"MinibatchStdDev group_size must be a positive integer, got {group_size!r}")
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"MinibatchStdDev needs (batch, H, W, C) inputs, got shape {tuple(input_shape)}")
        self.built = True

    def call(self, x):
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        static_batch = x.shape[0]
        group = ops.minimum(self.group_size, batch) if static_batch is None else min(self.group_size, int(static_batch))
        if static_batch is not None and int(static_batch) % group:
            raise ValueError(
                f"MinibatchStdDev: batch of {static_batch} is not divisible by group_size={group}: "
                f"use a batch size that is a multiple of {group}"
            )
        # (group, N / group, H, W, C): member m of group k is sample m * (N / group) + k.
        y = ops.reshape(ops.cast(x, "float32"), (group, -1, height, width, channels))
        y = y - ops.mean(y, axis=0, keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(y), axis=0) + self.epsilon)  # (N / group, H, W, C)
        std = ops.mean(std, axis=(1, 2, 3))  # (N / group,)
        std = ops.reshape(ops.tile(ops.reshape(std, (1, -1)), (group, 1)), (-1,))  # sample n gets group n mod (N / group)
        feature = ops.broadcast_to(ops.reshape(std, (-1, 1, 1, 1)), (batch, height, width, 1))
        return ops.concatenate([x, ops.cast(feature, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + 1
        return tuple(input_shape[:-1]) + (channels,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
