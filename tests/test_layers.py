"""Minibatch discrimination and virtual batch normalization on hand-computable cases."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import MinibatchDiscrimination, VirtualBatchNormalization, set_reference_batch

X3 = np.array([[0.0, 1.0, 2.0, 0.5], [1.0, 1.0, -1.0, 0.0], [0.5, -2.0, 0.0, 1.5]], "float32")


def minibatch_features(x, t, num_kernels, kernel_dim):
    """The paper's o(x_i)_b = sum_j exp(-||M_i,b - M_j,b||_1), written as loops."""
    m = (x @ t).reshape(len(x), num_kernels, kernel_dim)
    o = np.zeros((len(x), num_kernels))
    for i in range(len(x)):
        for j in range(len(x)):
            for b in range(num_kernels):
                o[i, b] += np.exp(-np.abs(m[i, b] - m[j, b]).sum())
    return o


def union_batch_norm(ref, x, gamma, beta, eps):
    """Batch norm of each x_i over the values of ref ∪ {x_i}, per channel."""
    out = np.empty_like(x, dtype="float64")
    channels = x.shape[-1]
    for i in range(len(x)):
        pool = np.concatenate([ref.reshape(-1, channels), x[i].reshape(-1, channels)]).astype("float64")
        mean, var = pool.mean(0), pool.var(0)
        out[i] = gamma * (x[i] - mean) / np.sqrt(var + eps) + beta
    return out


def round_trip_config(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def round_trip_saved(model, inputs, tmp_path):
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded(inputs), model(inputs), rtol=1e-6, atol=1e-6)
    return loaded


# ------------------------------------------------------------- minibatch discrimination
def test_minibatch_discrimination_shape():
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    assert layer(np.zeros((4, 7), "float32")).shape == (4, 10)
    assert layer.kernel.shape == (7, 6)
    assert layer.compute_output_shape((None, 7)) == (None, 10)
    outputs = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)(keras.Input((7,)))
    assert tuple(outputs.shape) == (None, 10)


def test_minibatch_discrimination_matches_formula_with_fixed_kernel():
    t = np.eye(4, dtype="float32")  # M_i is x_i seen as 2 kernels x 2 dims
    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=2, kernel_initializer="identity")
    out = layer(X3).numpy()
    np.testing.assert_allclose(layer.kernel.numpy(), t)
    np.testing.assert_allclose(out[:, :4], X3)
    expected = minibatch_features(X3, t, 2, 2)
    np.testing.assert_allclose(out[:, 4:], expected, rtol=1e-6)
    # e.g. sample 0, kernel 0: 1 + exp(-|0-1|-|1-1|) + exp(-|0-.5|-|1+2|)
    assert out[0, 4] == pytest.approx(1 + np.exp(-1.0) + np.exp(-3.5), rel=1e-6)
    others = MinibatchDiscrimination(2, 2, include_self=False, kernel_initializer="identity")
    np.testing.assert_allclose(others(X3).numpy()[:, 4:], expected - 1.0, rtol=1e-5, atol=1e-7)


def test_identical_samples_give_the_maximal_feature():
    layer = MinibatchDiscrimination(num_kernels=5, kernel_dim=3)
    collapsed = np.repeat(X3[:1], 6, axis=0)
    np.testing.assert_allclose(layer(collapsed).numpy()[:, 4:], 6.0, rtol=1e-6)
    varied = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    assert np.all(layer(varied).numpy()[:, 4:] < 6.0)
    without_self = MinibatchDiscrimination(5, 3, include_self=False)
    np.testing.assert_allclose(without_self(collapsed).numpy()[:, 4:], 5.0, rtol=1e-6)


def minibatch_gradients(layer, batch):
    x = tf.constant(batch)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x)[:, 4:] * [1.0, -2.0, 0.5])
    return [g.numpy() for g in tape.gradient(loss, [x, layer.kernel])]


def test_minibatch_discrimination_gradients_flow():
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    grad_x, grad_t = minibatch_gradients(layer, X3)
    assert np.abs(grad_x).sum() > 0 and np.abs(grad_t).sum() > 0
    # A collapsed batch sits at the kink of |.|: finite (zero) gradients, no NaN.
    grad_x, grad_t = minibatch_gradients(layer, np.repeat(X3[:1], 3, axis=0))
    assert np.all(np.isfinite(grad_x)) and np.all(np.isfinite(grad_t))


def test_minibatch_discrimination_config_round_trip():
    round_trip_config(MinibatchDiscrimination(num_kernels=7, kernel_dim=3, include_self=False))
    round_trip_config(MinibatchDiscrimination())
    with pytest.raises(ValueError):
        MinibatchDiscrimination(num_kernels=0)
    with pytest.raises(ValueError):
        MinibatchDiscrimination()(np.zeros((2, 3, 4), "float32"))


def test_minibatch_discrimination_keras_round_trip_and_tf_function(tmp_path):
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1)(MinibatchDiscrimination(3, 2)(inputs))
    model = keras.Model(inputs, outputs)
    loaded = round_trip_saved(model, X3, tmp_path)
    assert isinstance(loaded.layers[1], MinibatchDiscrimination)
    fn = tf.function(model, reduce_retracing=True)
    for n in (2, 3):
        np.testing.assert_allclose(fn(X3[:n]), model(X3[:n]), rtol=1e-6)


# ------------------------------------------------------------- virtual batch normalization
REF = np.random.default_rng(1).normal(2.0, 3.0, size=(5, 3)).astype("float32")
GAMMA = np.array([1.0, 0.5, -2.0], "float32")
BETA = np.array([0.0, 1.0, 0.25], "float32")


def vbn_with_reference(ref, eps=1e-3):
    layer = VirtualBatchNormalization(
        epsilon=eps,
        gamma_initializer=keras.initializers.Constant(GAMMA),
        beta_initializer=keras.initializers.Constant(BETA),
    )
    layer.set_reference(ref)
    return layer


def test_vbn_shapes():
    layer = VirtualBatchNormalization()
    assert layer(np.zeros((2, 3), "float32")).shape == (2, 3)
    conv = VirtualBatchNormalization()
    assert conv(np.ones((2, 4, 4, 3), "float32")).shape == (2, 4, 4, 3)
    assert conv.gamma.shape == conv.reference_mean.shape == (3,)
    assert len(conv.trainable_weights) == 2 and len(conv.non_trainable_weights) == 3


def test_vbn_dense_matches_batch_norm_of_reference_union_example():
    layer = vbn_with_reference(REF)
    np.testing.assert_allclose(layer.reference_mean.numpy(), REF.mean(0), rtol=1e-6)
    np.testing.assert_allclose(layer.reference_mean_square.numpy(), (REF**2).mean(0), rtol=1e-6)
    assert float(layer.reference_count.numpy()) == 5.0
    x = np.array([[0.0, 1.0, 2.0], [10.0, -4.0, 2.5]], "float32")
    expected = union_batch_norm(REF, x, GAMMA, BETA, 1e-3)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)
    # Each example only sees the reference and itself, never its batch-mates.
    np.testing.assert_allclose(layer(x[1:]).numpy(), layer(x).numpy()[1:], rtol=1e-6)


def test_vbn_images_pool_spatial_positions():
    rng = np.random.default_rng(2)
    ref = rng.normal(1.0, 2.0, size=(3, 2, 2, 3)).astype("float32")
    x = rng.normal(size=(2, 2, 2, 3)).astype("float32")
    layer = vbn_with_reference(ref)
    expected = union_batch_norm(ref, x, GAMMA, BETA, 1e-3)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def dense_vbn_model():
    inputs = keras.Input((3,))
    h = VirtualBatchNormalization(name="vbn1")(keras.layers.Dense(4, name="d1")(inputs))
    h = VirtualBatchNormalization(name="vbn2")(keras.layers.Dense(2, name="d2")(h))
    return keras.Model(inputs, keras.layers.Dense(1, name="out")(h))


def test_set_reference_batch_propagates_reference_through_the_model():
    keras.utils.set_random_seed(0)
    model = dense_vbn_model()
    set_reference_batch(model, REF)
    d1, d2 = model.get_layer("d1"), model.get_layer("d2")
    h1 = REF @ d1.kernel.numpy() + d1.bias.numpy()
    np.testing.assert_allclose(model.get_layer("vbn1").reference_mean.numpy(), h1.mean(0), rtol=1e-5)
    # The reference batch is normalized by its own statistics only before d2.
    n1 = (h1 - h1.mean(0)) / np.sqrt(h1.var(0) + 1e-5)
    h2 = n1 @ d2.kernel.numpy() + d2.bias.numpy()
    vbn2 = model.get_layer("vbn2")
    np.testing.assert_allclose(vbn2.reference_mean.numpy(), h2.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(vbn2.reference_mean_square.numpy(), (h2**2).mean(0), rtol=1e-4)
    assert not vbn2._recording
    with pytest.raises(ValueError):
        set_reference_batch(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]), REF)


def test_vbn_gradients_flow():
    layer = vbn_with_reference(REF)
    x = tf.constant([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) ** 2)
    grads = tape.gradient(loss, [x, layer.gamma, layer.beta])
    for grad in grads:
        assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]


def test_vbn_config_round_trip():
    round_trip_config(VirtualBatchNormalization(epsilon=1e-3, gamma_initializer="zeros"))
    with pytest.raises(ValueError):
        VirtualBatchNormalization(epsilon=-1.0)
    with pytest.raises(ValueError):
        VirtualBatchNormalization()(np.zeros((3,), "float32"))


def test_vbn_keras_round_trip_keeps_reference_and_tf_function(tmp_path):
    keras.utils.set_random_seed(0)
    model = dense_vbn_model()
    set_reference_batch(model, REF)
    x = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], "float32")
    loaded = round_trip_saved(model, x, tmp_path)
    np.testing.assert_allclose(
        loaded.get_layer("vbn2").reference_mean_square.numpy(),
        model.get_layer("vbn2").reference_mean_square.numpy(),
    )
    assert float(loaded.get_layer("vbn1").reference_count.numpy()) == 5.0
    np.testing.assert_allclose(tf.function(model)(x), model(x), rtol=1e-6)


def test_vbn_model_fits_with_reference_refreshed_each_step():
    keras.utils.set_random_seed(0)
    model = dense_vbn_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    refresh = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: set_reference_batch(model, REF)
    )
    x = np.random.default_rng(3).normal(size=(8, 3)).astype("float32")
    set_reference_batch(model, REF)
    before = model.get_layer("vbn1").reference_mean.numpy().copy()
    history = model.fit(x, x[:, :1], batch_size=4, epochs=1, callbacks=[refresh], verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = model.get_layer("vbn1").reference_mean.numpy()
    assert not np.allclose(before, after)  # refreshed with the updated d1


# ------------------------------------------------ conditional batch normalization
def test_conditional_batch_norm_by_class_matches_hand_computed_values():
    from kerasgan.layers import ConditionalBatchNormalization

    layer = ConditionalBatchNormalization(num_classes=3, epsilon=1e-3)
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]], "float32")
    labels = np.array([0, 2, 2])
    out = layer([x, labels], training=True).numpy()
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(out, x_hat, rtol=1e-5)  # gains and biases start at 0: plain batch norm
    layer.gain.assign([[0.0, 0.0], [0.0, 0.0], [1.0, -0.5]])
    layer.bias.assign([[0.1, 0.2], [0.0, 0.0], [-1.0, 3.0]])
    out = layer([x, labels], training=True).numpy()
    # class 0: gain 1 + 0, bias (0.1, 0.2); class 2: gain 1 + (1, -0.5), bias (-1, 3).
    want = np.stack([x_hat[0] + [0.1, 0.2], [2.0, 0.5] * x_hat[1] + [-1.0, 3.0], [2.0, 0.5] * x_hat[2] + [-1.0, 3.0]])
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    # Inference uses the moving statistics (momentum 0.9, as PyTorch's 0.1).
    mean = layer.norm.moving_mean.numpy()
    np.testing.assert_allclose(mean, 0.19 * x.mean(0), rtol=1e-5)  # two updates from 0: 0.9 * 0.1 + 0.1


def test_conditional_batch_norm_by_vector_is_one_plus_a_linear_gain():
    from kerasgan.layers import ConditionalBatchNormalization

    layer = ConditionalBatchNormalization(num_classes=None, epsilon=1e-5)
    x = np.random.default_rng(0).normal(size=(4, 2, 2, 3)).astype("float32")
    c = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    out = layer([x, c], training=True).numpy()
    w_gain, w_bias = layer.gain.numpy(), layer.bias.numpy()
    assert np.all(w_bias == 0) and np.abs(w_gain).max() > 0
    x_hat = (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-5)
    want = (1.0 + (c @ w_gain)[:, None, None, :]) * x_hat + (c @ w_bias)[:, None, None, :]
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


def test_conditional_batch_norm_config_and_saving(tmp_path):
    from kerasgan.layers import ConditionalBatchNormalization

    x_in = keras.Input((4,))
    y_in = keras.Input((), dtype="int32")
    model = keras.Model([x_in, y_in], ConditionalBatchNormalization(num_classes=2, name="cbn")([x_in, y_in]))
    layer = model.get_layer("cbn")
    layer.gain.assign(np.arange(8, dtype="float32").reshape(2, 4) / 10)
    x = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    y = np.array([0, 1, 0, 1, 1, 0], "int32")
    model([x, y], training=True)  # moves the statistics
    path = str(tmp_path / "cbn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict([x, y], verbose=0), model.predict([x, y], verbose=0), rtol=1e-6)
    config = layer.get_config()
    assert config["num_classes"] == 2 and config["momentum"] == 0.9
    with pytest.raises(ValueError, match="num_classes must be a positive integer or None"):
        ConditionalBatchNormalization(num_classes=0)
