"""CycleGAN: reflection padding, the history pool, the loss terms by hand, directions, the LR schedule, unpaired data."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import data, models, training
from kerasgan.layers import ReflectionPadding2D
from kerasgan.schedules import ConstantThenLinearDecay

STYLES = ("google", "twitter")


def _tiny(**kwargs):
    keras.utils.set_random_seed(0)
    args = {"image_shape": (16, 16, 3), "g_width": 4, "g_blocks": 1, "d_width": 4, "styles": STYLES, "seed": 0}
    return models.CycleGAN(**{**args, **kwargs})


def _images(n, seed, shape=(16, 16, 3)):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def test_reflection_padding_matches_numpy():
    x = np.arange(2 * 4 * 5 * 3, dtype="float32").reshape(2, 4, 5, 3)
    y = ReflectionPadding2D((2, 1))(x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(y), np.pad(x, [(0, 0), (2, 2), (1, 1), (0, 0)], mode="reflect"))
    assert ReflectionPadding2D(3).compute_output_shape((None, 8, 8, 1)) == (None, 14, 14, 1)
    with pytest.raises(ValueError, match="padding must be"):
        ReflectionPadding2D(-1)


def test_history_pool_fills_then_swaps_half_the_time():
    model = _tiny(pool_size=4)
    first = np.stack([np.full((16, 16, 3), v, "float32") for v in (0.1, 0.2, 0.3)])
    out = model.query_pool("a", first).numpy()
    np.testing.assert_array_equal(out, first)  # filling: every image is stored and returned
    swapped = returned_new = 0
    for step in range(40):
        before = model.pools["a"][0].numpy().copy()
        count = int(model.pools["a"][1].numpy())
        new = np.full((2, 16, 16, 3), -0.5 + 0.01 * step, "float32")
        out = model.query_pool("a", new).numpy()
        after = model.pools["a"][0].numpy()
        if count == 4:  # full: nothing is lost or invented (stored + batch is the same multiset before and after)
            key = lambda images: sorted(float(im[0, 0, 0]) for im in images)  # noqa: E731
            assert key(list(before) + list(new)) == pytest.approx(key(list(after) + list(out)))
        else:  # the last free slot takes the first new image, which is also returned
            np.testing.assert_array_equal(after[count], new[0])
            np.testing.assert_array_equal(out[0], new[0])
        for image_out, image_new in zip(out, new):
            if np.array_equal(image_out, image_new):
                returned_new += 1
            else:
                swapped += 1
    assert int(model.pools["a"][1].numpy()) == 4 and int(model.pools["b"][1].numpy()) == 0
    # 79 images after the pool filled (one went into the last free slot): about half come from history
    assert 25 <= swapped <= 55 and swapped + returned_new == 80


def test_pool_size_zero_passes_the_batch_through():
    model = _tiny(pool_size=0)
    x = _images(2, 0)
    np.testing.assert_array_equal(model.query_pool("b", x), x)


def test_generator_terms_by_hand():
    model = _tiny(cycle_weight=10.0, identity_weight=0.5)
    model.compile()
    a, b = _images(3, 1), _images(3, 2)
    terms = model.generator_terms(a, b, training=False)
    G = lambda x: model.generator(x, training=False).numpy()  # noqa: E731
    F = lambda x: model.generator_ba(x, training=False).numpy()  # noqa: E731
    cycle = np.mean(np.abs(F(G(a)) - a)) + np.mean(np.abs(G(F(b)) - b))
    identity = np.mean(np.abs(G(b) - b)) + np.mean(np.abs(F(a) - a))
    d_b = model.discriminator(G(a), training=False).numpy()
    d_a = model.discriminator_a(F(b), training=False).numpy()
    # least squares, as the authors' code: MSE(D(G(a)), 1) + MSE(D_A(F(b)), 1)
    adversarial = np.mean((d_b - 1) ** 2) + np.mean((d_a - 1) ** 2)
    assert float(terms["g_cycle"]) == pytest.approx(cycle, rel=1e-5)
    assert float(terms["g_identity"]) == pytest.approx(identity, rel=1e-5)
    assert float(terms["adversarial"]) == pytest.approx(adversarial, rel=1e-5)


def test_one_step_trains_all_four_networks_and_the_directions_differ():
    model = _tiny(pool_size=2)
    model.compile()
    before = {name: [w.numpy().copy() for w in net.trainable_weights] for name, net in model.networks.items()}
    history = model.fit(_images(4, 3), _images(6, 4), epochs=1, batch_size=2, verbose=0)
    assert set(history.history) >= {"d_loss", "g_loss", "g_cycle", "g_identity"}
    for name, net in model.networks.items():
        assert any(not np.array_equal(w0, w.numpy()) for w0, w in zip(before[name], net.trainable_weights)), name
    x = _images(2, 5)
    np.testing.assert_allclose(model.translate(x, target="twitter"), model.generator(x, training=False).numpy(), atol=1e-6)
    np.testing.assert_allclose(model.translate(x, target="google"), model.generator_ba(x, training=False).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="picks its direction from target="):
        model.translate(x, domain=0)
    with pytest.raises(ValueError, match="unknown target style 'noto'"):
        model.translate(x, target="noto")


def test_gradient_penalty_is_refused_before_anything_is_compiled():
    model = _tiny()
    with pytest.raises(ValueError, match=r"CycleGAN does not support \['gradient_penalty'\]"):
        model.compile(gradient_penalty=10.0)
    assert not getattr(model, "compiled", False) and getattr(model, "gradient_penalty", None) is None


def test_constant_then_linear_decay():
    schedule = ConstantThenLinearDecay(2e-4, constant_steps=100, decay_steps=50)
    values = [float(schedule(s)) for s in (0, 100, 125, 150, 400)]
    assert values == pytest.approx([2e-4, 2e-4, 1e-4, 0.0, 0.0])
    again = ConstantThenLinearDecay.from_config(schedule.get_config())
    assert float(again(125)) == pytest.approx(1e-4)
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    restored = keras.optimizers.Adam.from_config(keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(optimizer)).get_config())
    assert isinstance(restored.learning_rate, tf.Variable) or restored is not None


def test_load_domains_is_unpaired():
    (google, twitter), _ = data._style_arrays(STYLES, "train", "test")
    a, b = next(iter(data.load_domains(list(STYLES), batch_size=8, seed=0)))
    a, b = data.to_uint8(a.numpy()), data.to_uint8(b.numpy())
    index_a = [int(np.flatnonzero((google == im).all(axis=(1, 2, 3)))[0]) for im in a]
    index_b = [int(np.flatnonzero((twitter == im).all(axis=(1, 2, 3)))[0]) for im in b]
    assert index_a != index_b  # row i of the two batches are different emoji
    same = next(iter(data.load_domains(list(STYLES), batch_size=8, shuffle=False)))
    np.testing.assert_array_equal(data.to_uint8(same[0].numpy()), google[:8])
    with pytest.raises(ValueError, match="two or more distinct style names"):
        data.load_domains(["google"])


def test_kerasgan_train_runs_cyclegan_unpaired_with_a_four_row_preview(tmp_path):
    from PIL import Image

    config = {"architecture": "cyclegan", "dataset": "emoji_styles_64", "batch_size": 2, "seed": 0, "steps": 2,
              "model_args": {"styles": list(STYLES), "g_width": 4, "g_blocks": 1, "d_width": 4}}
    result = training.train(config, tmp_path / "run", verbose=0, checkpoint_every=2)
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (4 * 66 + 2, 8 * 66 + 2, 3)
    resumed = training.train({"steps": 4}, tmp_path / "run", verbose=0, resume=True)
    assert resumed["initial_step"] == 2
    assert resumed["model"].pools["a"][1].numpy() == min(4 * 2, 50)  # the pools came back with the checkpoint
