"""ProGAN (Karras et al. 2018): the growing schedule, the fade-in arithmetic, resuming mid-phase, the drift term.

The shared harness (tests/test_models.py) runs fit, config and .keras round trips and export."""

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import models, training
from kerasgan.models.progan import schedule
from kerasgan.models.progan.progan import ProgressiveMerge, ProgressiveOutput


def _progan(**kwargs):
    args = {"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "phase_images": 8, "seed": 0}
    return models.ProGAN(**{**args, **kwargs})


def test_schedule_by_hand():
    # phase 0: 4x4 stable; 1: 8x8 fading in; 2: 8x8 stable; 3: 16x16 fading; 4 and on: 16x16 stable (2 blocks)
    want = {0: (0, 1.0), 7: (0, 1.0), 8: (1, 0.0), 10: (1, 0.25), 16: (1, 1.0), 24: (2, 0.0), 30: (2, 0.75), 32: (2, 1.0), 400: (2, 1.0)}
    for seen, expected in want.items():
        assert schedule(seen, 8, 2) == expected, seen
    gan = _progan()
    for seen, expected in want.items():
        gan.images_seen.assign(seen)
        assert (gan.stage, gan.alpha) == expected


def test_fade_in_arithmetic_of_both_networks():
    small, large = np.full((1, 4, 4, 1), 2.0, "float32"), np.full((1, 8, 8, 1), 5.0, "float32")
    out = ProgressiveOutput()
    out([small, large])
    for stage, alpha, value in ((0, 1.0, 2.0), (1, 0.25, 0.75 * 2 + 0.25 * 5), (1, 1.0, 5.0)):
        out.stage.assign(stage)
        out.alpha.assign(alpha)
        np.testing.assert_allclose(out([small, large]).numpy(), value, rtol=1e-6)  # nearest-upsampled to 8x8
    merge = ProgressiveMerge(level=1)
    block, entry = np.full((1, 4, 4, 2), 3.0, "float32"), np.full((1, 4, 4, 2), -1.0, "float32")
    merge([block, entry])
    for stage, alpha, value in ((0, 1.0, -1.0), (1, 0.25, 0.25 * 3 - 0.75), (2, 0.5, 3.0)):
        merge.stage.assign(stage)
        merge.alpha.assign(alpha)
        np.testing.assert_allclose(merge([block, entry]).numpy(), value, rtol=1e-6)


def test_at_4x4_only_the_4x4_layers_learn_and_images_stay_full_size():
    gan = _progan()
    gan.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    before = {v.path: v.numpy().copy() for v in gan.generator.trainable_variables}
    gan.fit(x, batch_size=8, epochs=1, verbose=0)
    after = {v.path: v.numpy() for v in gan.generator.trainable_variables}
    moved = {path for path, value in before.items() if not np.array_equal(value, after[path])}
    assert any(p.startswith("4x4_torgb") for p in moved) and not any(p.startswith(("8x8_", "16x16_")) for p in moved)
    assert int(gan.images_seen.numpy()) == 8 and (gan.stage, gan.alpha) == (1, 0.0)
    assert gan.sample(2, seed=0).shape == (2, 16, 16, 1)


def test_resume_continues_in_the_same_phase_and_alpha(tmp_path):
    config = {"architecture": "progan", "dataset": "mnist", "batch_size": 4, "seed": 0, "image_size": 16, "steps": 3,
              "model_args": {"image_shape": (16, 16, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "phase_images": 8}}
    out = tmp_path / "run"
    training.train(config, out, checkpoint_every=3, verbose=0)
    resumed = training.load_checkpoint(out)
    assert int(resumed.images_seen.numpy()) == 12 and (resumed.stage, resumed.alpha) == (1, 0.5)  # mid fade-in
    gan = training.train({**config, "steps": 5}, out, checkpoint_every=1, resume=True, verbose=0)["model"]
    assert int(gan.images_seen.numpy()) == 20 and (gan.stage, gan.alpha) == (1, 1.0)  # 8x8 stable
    with pytest.raises(ValueError, match=r"--resume: model_args=.* differs from the run being resumed"):
        training.train({**config, "steps": 6, "model_args": {**config["model_args"], "phase_images": 4}}, out, resume=True, verbose=0)


def test_drift_term_and_bad_arguments(monkeypatch):
    gan = _progan(drift=0.5)
    monkeypatch.setattr(models.GAN, "compute_discriminator_penalty", lambda self, batch: tf.constant(0.0))
    batch = type("Batch", (), {"real_output": tf.constant([[1.0], [3.0]])})()
    assert float(gan.compute_discriminator_penalty(batch)) == pytest.approx(0.5 * (1.0 + 9.0) / 2)  # drift * E[D(x)^2]
    assert float(_progan(drift=0.0).compute_discriminator_penalty(batch)) == 0.0
    assert models.ProGAN.recipe["gradient_penalty"] == 10.0 and models.ProGAN.recipe["loss"] == "wasserstein"
    for kwargs, message in (({"phase_images": 0}, "phase_images must be a positive integer"), ({"drift": -1}, "drift must be >= 0"),
                            ({"image_shape": (12, 12, 1)}, r"ProGAN builds square images whose side is 4 times a power of two")):
        with pytest.raises(ValueError, match=message):
            _progan(**kwargs)


def test_export_draws_at_the_models_stage(tmp_path):
    gan = _progan()
    gan.images_seen.assign(12)  # 8x8 fading in, alpha 0.5
    gan._apply_schedule()  # (training and load_weights apply it themselves)
    assert (gan.stage, gan.alpha) == (1, 0.5)
    gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    z = gan.latents(3, seed=2).numpy()
    np.testing.assert_allclose(loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy(), gan.generate(z),
                               rtol=1e-5, atol=1e-5)
