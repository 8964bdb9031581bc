"""Class-conditional batch normalization (de Vries et al. 2017; Miyato & Koyama 2018; Brock et al. 2019)."""

import keras


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch norm whose scale and offset depend on a condition.

    ``y = (1 + gain(c)) * x_hat + bias(c)``, with ``x_hat`` the batch-normalized
    input (no learned scale or offset of its own). The condition is either

    * an int class label per example (``num_classes`` set): ``gain`` and
      ``bias`` are rows of two per-class tables, initialised to 0, so every
      class starts with the unconditional identity scale (the gamma = 1 that
      Miyato & Koyama's chainer code initialises and some re-implementations
      miss when they learn gamma directly from 0); or
    * a float vector per example (``num_classes=None``), e.g. BigGAN's shared
      class embedding concatenated with a latent chunk: ``gain`` and ``bias``
      are linear maps of it (Brock et al. 2019, appendix B), their output
      added to 1 for the gain.

    Call it on ``[x, condition]``; ``x`` may be (batch, features) or
    (batch, H, W, C), normalised over all axes but the last.

    Args:
        num_classes: classes of int labels, or None for vector conditions.
        momentum, epsilon, synchronized: as ``keras.layers.BatchNormalization``
            (defaults equal PyTorch's BatchNorm: 0.1 update, 1e-5).

    References:
        de Vries et al., "Modulating early visual processing by language",
        NeurIPS 2017; Miyato & Koyama, "cGANs with Projection Discriminator",
        ICLR 2018; Brock, Donahue & Simonyan, "Large Scale GAN Training for
        High Fidelity Natural Image Synthesis", ICLR 2019.
    """

    def __init__(self, num_classes=None, momentum=0.9, epsilon=1e-5, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if num_classes is not None and (isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 1):
            raise ValueError(f"num_classes must be a positive integer or None, got {num_classes!r}")
        self.num_classes = None if num_classes is None else int(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.norm = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            synchronized=self.synchronized, dtype=self.dtype_policy, name="norm",
        )

    def build(self, input_shape):
        x_shape, c_shape = input_shape
        channels = int(x_shape[-1])
        self.norm.build(x_shape)
        if self.num_classes is not None:
            self.gain = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="gain")
            self.bias = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="bias")
        else:
            if c_shape[-1] is None:
                raise ValueError("ConditionalBatchNormalization needs the condition's size (batch, k) to be known")
            k = int(c_shape[-1])
            self.gain = self.add_weight(shape=(k, channels), initializer="glorot_uniform", name="gain")
            self.bias = self.add_weight(shape=(k, channels), initializer="zeros", name="bias")
        self.built = True

    def call(self, inputs, training=None):
        x, condition = inputs
        x_hat = self.norm(x, training=training)
        if self.num_classes is not None:
            labels = keras.ops.cast(keras.ops.reshape(condition, (-1,)), "int32")
            gain = keras.ops.take(self.gain, labels, axis=0)
            bias = keras.ops.take(self.bias, labels, axis=0)
        else:
            condition = keras.ops.cast(condition, self.compute_dtype)
            gain = keras.ops.matmul(condition, keras.ops.cast(self.gain, self.compute_dtype))
            bias = keras.ops.matmul(condition, keras.ops.cast(self.bias, self.compute_dtype))
        # (batch, C) -> (batch, 1, ..., 1, C) to broadcast over spatial axes.
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (int(x.shape[-1]),)
        gain = keras.ops.reshape(keras.ops.cast(gain, x_hat.dtype), shape)
        bias = keras.ops.reshape(keras.ops.cast(bias, x_hat.dtype), shape)
        return (1.0 + gain) * x_hat + bias

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "synchronized": self.synchronized,
        }
