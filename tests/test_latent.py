"""kerasgan.latent: interpolation, vector arithmetic, inversion and SeFa directions, by hand and on dcgan_mnist."""

import numpy as np
import pytest


from kerasgan import latent, models, zoo


@pytest.fixture(scope="module")
def dcgan():
    return zoo.load("dcgan_mnist")


def test_slerp_and_lerp_by_hand():
    e0, e1 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    path = latent.interpolate_latents(e0, e1, steps=3, method="slerp")
    np.testing.assert_allclose(path, [[1, 0, 0], [np.sqrt(0.5), np.sqrt(0.5), 0], [0, 1, 0]], atol=1e-6)  # on the circle
    line = latent.interpolate_latents(e0, 3 * e1, steps=3, method="lerp")
    np.testing.assert_allclose(line, [[1, 0, 0], [0.5, 1.5, 0], [0, 3, 0]], atol=1e-6)
    big = latent.interpolate_latents(e0, 3 * e1, steps=5, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(big, axis=1), [1, 1.5, 2, 2.5, 3], rtol=1e-6)  # norms linear
    np.testing.assert_allclose(latent.interpolate_latents(e0, 2 * e0, steps=3), [[1, 0, 0], [1.5, 0, 0], [2, 0, 0]], atol=1e-6)
    with pytest.raises(ValueError, match="unknown interpolation method 'cubic'"):
        latent.interpolate_latents(e0, e1, method="cubic")
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        latent.interpolate_latents(e0, e1, steps=1)
    with pytest.raises(ValueError, match=r"z1 must be one finite latent vector of shape \(3,\)"):
        latent.interpolate_latents(e0, np.zeros(4))


def test_interpolation_and_arithmetic_images(dcgan):
    z = dcgan.latents(3, seed=0).numpy()
    images = latent.interpolate(dcgan, z[0], z[1], steps=4)
    assert images.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(images[[0, -1]], dcgan.generate(z[:2]), atol=1e-5)  # the ends are the two samples
    vector, image = latent.arithmetic(dcgan, [z[:2], z[1:2], z[2:]], [1, -1, 1])
    np.testing.assert_allclose(vector, z[:2].mean(0) - z[1] + z[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(image, dcgan.generate(vector[None])[0], atol=1e-5)
    with pytest.raises(ValueError, match="give one sign per group"):
        latent.arithmetic(dcgan, [z], [1, -1])
    with pytest.raises(ValueError, match=r"signs must be \+1 or -1"):
        latent.arithmetic(dcgan, [z], [2])


def test_inversion_into_z_reconstructs_generated_digits(dcgan):
    x = dcgan.generate(dcgan.latents(6, seed=3).numpy())
    start = np.random.default_rng(0).standard_normal((6, 100)).astype("float32")
    before = np.mean((dcgan.generate(start) - x) ** 2)
    z = latent.invert(dcgan, x, steps=150, seed=0)
    after = np.mean((dcgan.generate(z) - x) ** 2)
    assert z.shape == (6, 100) and after < 0.1 * before
    z_features = latent.invert(dcgan, x, steps=20, loss="pixel+features")
    assert z_features.shape == (6, 100) and np.all(np.isfinite(z_features))


def test_inversion_into_w_and_w_plus_of_a_style_model():
    gan = models.StyleGAN(image_shape=(8, 8, 1), latent_dim=4, w_dim=4, mapping_layers=1, g_width=4, d_width=4, seed=0)
    x = gan.generate(gan.latents(2, seed=1).numpy())
    w = latent.invert(gan, x, space="w", steps=5)
    w_plus = latent.invert(gan, x, space="w+", steps=5)
    assert w.shape == (2, 4) and w_plus.shape == (2, gan.num_layers, 4)
    assert gan.synthesis(w).shape == gan.synthesis(w_plus).shape == (2, 8, 8, 1)


def test_inversion_bad_inputs(dcgan):
    with pytest.raises(ValueError, match=r"space='w' needs a style-based model"):
        latent.invert(dcgan, np.zeros((1, 28, 28, 1), "float32"), space="w")
    with pytest.raises(ValueError, match="images to invert"):
        latent.invert(dcgan, np.zeros((1, 32, 32, 1), "float32"))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        latent.invert(dcgan, np.full((1, 28, 28, 1), 3.0, "float32"))
    with pytest.raises(ValueError, match="unknown latent space 'x'"):
        latent.invert(dcgan, np.zeros((1, 28, 28, 1), "float32"), space="x")
    pix2pix = models.Pix2Pix(image_shape=(16, 16, 3), g_width=4, d_width=4)
    with pytest.raises(ValueError, match="has no latent space to work in"):
        latent.sefa(pix2pix)


def test_sefa_directions_are_the_top_eigenvectors_of_the_first_projection():
    gan = models.DCGAN(image_shape=(28, 28, 1), latent_dim=6, g_width=4, d_width=4, seed=0)
    kernel = gan.generator.get_layer("project").kernel.numpy()  # (6, units) = A^T
    values, vectors = np.linalg.eigh(kernel @ kernel.T)
    directions = latent.sefa(gan, num=3)
    assert directions.shape == (3, 6)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0, rtol=1e-5)
    for i, d in enumerate(directions):  # largest eigenvalue first, up to sign
        top = vectors[:, np.argsort(values)[::-1][i]]
        assert abs(abs(float(np.dot(d, top))) - 1.0) < 1e-5
    # moving along the first direction changes the projection most
    gains = [np.linalg.norm(d @ kernel) for d in directions]
    assert gains == sorted(gains, reverse=True)
    with pytest.raises(ValueError, match=r"num must be an integer in \[1, 6\]"):
        latent.sefa(gan, num=7)


def test_cli_interpolate_directions_and_invert_write_grids(tmp_path, capsys):
    from PIL import Image

    from kerasgan import cli, data
    from kerasgan.utils.images import save_image

    assert cli.main(["interpolate", "dcgan_mnist", "--seeds", "0,1,2", "--steps", "5", "--out", str(tmp_path / "i.png")]) == 0
    assert Image.open(tmp_path / "i.png").size == (5 * 30 + 2, 2 * 30 + 2)  # 2 rows (pairs) of 5, 28 px + 2 px padding
    assert cli.main(["directions", "dcgan_mnist", "--num", "2", "--steps", "3", "--out", str(tmp_path / "d.png")]) == 0
    assert Image.open(tmp_path / "d.png").size == (3 * 30 + 2, 2 * 30 + 2)
    (tmp_path / "digits").mkdir()
    for i, image in enumerate(data.to_uint8(data.load_arrays("mnist", split="test", limit=3))):
        save_image(image, str(tmp_path / "digits" / f"{i}.png"))
    argv = ["invert", "dcgan_mnist", str(tmp_path / "digits"), "--steps", "20", "--out", str(tmp_path / "v.png"),
            "--latents", str(tmp_path / "z.npy")]
    assert cli.main(argv) == 0
    assert np.load(tmp_path / "z.npy").shape == (3, 100) and Image.open(tmp_path / "v.png").size == (3 * 30 + 2, 2 * 30 + 2)
    assert "inverted 3 images into z" in capsys.readouterr().out
    assert cli.main(["invert", "dcgan_mnist", str(tmp_path / "digits"), "--space", "w", "--out", str(tmp_path / "w.png")]) == 2
    assert "space='w' needs a style-based model" in capsys.readouterr().err


def test_discovered_directions_are_told_apart_by_the_reconstructor(dcgan):
    directions, accuracy = latent.discover_directions(dcgan, num=4, steps=300, batch_size=16, learning_rate=3e-3, seed=0,
                                                      return_accuracy=True)
    assert directions.shape == (4, 100)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0, rtol=1e-5)
    assert accuracy > 0.5  # chance is 0.25
    again = latent.discover_directions(dcgan, num=4, steps=3, batch_size=4, seed=1)
    np.testing.assert_array_equal(again, latent.discover_directions(dcgan, num=4, steps=3, batch_size=4, seed=1))  # seeded
    with pytest.raises(ValueError, match="min_shift < max_shift"):
        latent.discover_directions(dcgan, min_shift=7.0)


def test_inversion_starts_from_the_encoder_where_the_model_has_one(dcgan):
    # With a zero learning rate the result is the start itself: E(x) for a
    # BiGAN, the seeded N(0, I) draws for a model without an encoder.
    from kerasgan import models

    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    bigan = models.BiGAN(latent_dim=6, units=16, seed=0)
    np.testing.assert_allclose(latent.invert(bigan, x, steps=1, learning_rate=0.0), bigan.encode(x), atol=1e-6)
    start = np.random.default_rng(4).standard_normal((3, dcgan.latent_dim)).astype("float32")
    np.testing.assert_allclose(latent.invert(dcgan, x, steps=1, learning_rate=0.0, seed=4), start, atol=1e-6)
    moved = latent.invert(bigan, x, steps=3, learning_rate=0.1)
    assert not np.allclose(moved, bigan.encode(x))
