"""Virtual batch normalization (Salimans et al. 2016, section 3.4)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class VirtualBatchNormalization(keras.layers.Layer):
    """Normalizes each example with the statistics of a fixed reference batch and itself.

    Each example ``x`` is normalized per channel (the last axis) with the
    mean and variance of the union of the reference batch and ``x``: with
    ``n`` reference examples whose per-channel mean and mean of squares
    (over examples and any spatial axes) are ``mu_r`` and ``s_r``, and
    ``mu_x``, ``s_x`` the same over the spatial axes of ``x`` alone::

        w    = 1 / (n + 1)
        mu   = w * mu_x + (1 - w) * mu_r
        var  = w * s_x + (1 - w) * s_r - mu ** 2
        out  = gamma * (x - mu) / sqrt(var + epsilon) + beta

    which is exactly batch normalization over ``reference ∪ {x}``. No output
    depends on the other examples of the batch. Inputs are ``(batch, C)`` or
    ``(batch, ..., C)``, e.g. ``(batch, H, W, C)``.

    The reference statistics live in non-trainable weights
    (``reference_mean``, ``reference_mean_square``, ``reference_count``), so
    they are saved and restored with the model and the model's call keeps the
    ordinary one-batch-in, one-batch-out contract that ``fit`` and
    ``kerasgan.models.GAN`` rely on. They are set either on this layer with
    ``set_reference(activations)`` (activations at this layer's input), or
    for every such layer of a model at once with
    ``set_reference_batch(model, reference_inputs)``, which runs the
    reference batch through the model so that each layer records the
    statistics of its own input, and normalizes the reference batch with its
    own statistics only, as in the paper. The paper propagates the reference
    batch at every step; refresh it each step (or every few steps) from a
    callback. Until a reference is set (``reference_count == 0``) each
    example is normalized with its own statistics alone.

    Args:
        epsilon: added to the variance.
        gamma_initializer: initializer of the per-channel scale.
        beta_initializer: initializer of the per-channel offset.

    Example:
    >>> layer = VirtualBatchNormalization()
    >>> layer.set_reference(np.random.normal(size=(64, 8, 8, 32)))
    >>> layer(keras.ops.zeros((2, 8, 8, 32))).shape
    (2, 8, 8, 32)

    Reference:
        Salimans et al., "Improved Techniques for Training GANs",
        NeurIPS 2016, section 3.4.
    """

    def __init__(self, epsilon=1e-5, gamma_initializer="ones", beta_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if float(epsilon) < 0:
            raise ValueError(f"VirtualBatchNormalization needs epsilon >= 0, got {epsilon}")
        self.epsilon = float(epsilon)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self._recording = False

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                "VirtualBatchNormalization expects (batch, ..., channels) inputs with a "
                f"known channel count, got {input_shape}"
            )
        channels = (input_shape[-1],)
        self.gamma = self.add_weight(shape=channels, initializer=self.gamma_initializer, name="gamma")
        self.beta = self.add_weight(shape=channels, initializer=self.beta_initializer, name="beta")
        # The reference statistics are the same on every replica (one fixed
        # reference batch through the same weights), so under tf.distribute
        # they are assigned from a replica context like this.
        self.reference_mean = self.add_weight(
            shape=channels, initializer="zeros", trainable=False, name="reference_mean",
            aggregation="only_first_replica",
        )
        self.reference_mean_square = self.add_weight(
            shape=channels, initializer="zeros", trainable=False, name="reference_mean_square",
            aggregation="only_first_replica",
        )
        self.reference_count = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="reference_count",
            aggregation="only_first_replica",
        )

    def set_reference(self, reference_activations):
        """Stores the statistics of ``reference_activations``, this layer's input for the reference batch."""
        x = ops.convert_to_tensor(reference_activations, dtype="float32")
        if not self.built:
            self.build(tuple(x.shape))
        axes = tuple(range(len(x.shape) - 1))
        self.reference_mean.assign(ops.mean(x, axis=axes))
        self.reference_mean_square.assign(ops.mean(ops.square(x), axis=axes))
        self.reference_count.assign(ops.cast(ops.shape(x)[0], "float32"))

    def call(self, inputs):
        dtype = inputs.dtype
        if self._recording:
            self.set_reference(inputs)
            mean = ops.cast(self.reference_mean, dtype)
            mean_square = ops.cast(self.reference_mean_square, dtype)
        else:
            spatial = tuple(range(1, len(inputs.shape) - 1))
            own_mean, own_square = inputs, ops.square(inputs)
            if spatial:
                own_mean = ops.mean(own_mean, axis=spatial, keepdims=True)
                own_square = ops.mean(own_square, axis=spatial, keepdims=True)
            w = ops.cast(1.0 / (self.reference_count + 1.0), dtype)
            mean = w * own_mean + (1.0 - w) * ops.cast(self.reference_mean, dtype)
            mean_square = w * own_square + (1.0 - w) * ops.cast(self.reference_mean_square, dtype)
        variance = ops.maximum(mean_square - ops.square(mean), 0.0)
        scale = ops.cast(self.gamma, dtype) * ops.rsqrt(variance + self.epsilon)
        return (inputs - mean) * scale + ops.cast(self.beta, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            epsilon=self.epsilon,
            gamma_initializer=keras.initializers.serialize(self.gamma_initializer),
            beta_initializer=keras.initializers.serialize(self.beta_initializer),
        )
        return config


def set_reference_batch(model, reference_inputs, training=False):
    """Runs ``reference_inputs`` through ``model`` and has every ``VirtualBatchNormalization`` in it record its input statistics.

    Each layer normalizes the reference batch with the reference statistics
    alone, so deeper layers see the same reference activations as in the
    paper. Call it eagerly (e.g. from ``on_train_batch_begin`` of a
    ``keras.callbacks.LambdaCallback``) to refresh the statistics with the
    current weights. Returns the model's output on the reference batch.
    """
    layers = [
        layer
        for layer in model._flatten_layers(include_self=True, recursive=True)
        if isinstance(layer, VirtualBatchNormalization)
    ]
    if not layers:
        raise ValueError(f"{model.name} has no VirtualBatchNormalization layer")
    for layer in layers:
        layer._recording = True
    try:
        return model(reference_inputs, training=training)
    finally:
        for layer in layers:
            layer._recording = False
