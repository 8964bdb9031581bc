"""kerasgan.convert: PyTorch checkpoints give the same outputs in Keras.

The DCGAN and MLP networks are defined here in PyTorch with the layouts of
pytorch/examples dcgan/main.py and csinva's MNIST GAN, randomly initialised,
saved as state_dicts and converted; outputs must match to 1e-4. The real
csinva checkpoint must then produce MNIST-like digits.
"""

import json
import os
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from kerasgan import convert, zoo  # noqa: E402

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"
CSINVA = SHARED / "weights" / "third_party" / "csinva_mnist_gan_mlp"
TOL = 1e-4


# ------------------------------------------------------------ torch models
class TorchDCGANGenerator(nn.Module):
    """pytorch/examples netG: ConvT(nz, 8ngf, 4, 1, 0) on 1x1, then 4 ConvT(4, 2, 1)."""

    def __init__(self, nz, ngf, nc):
        super().__init__()
        chans = [nz, 8 * ngf, 4 * ngf, 2 * ngf, ngf]
        layers = [nn.ConvTranspose2d(nz, chans[1], 4, 1, 0, bias=False), nn.BatchNorm2d(chans[1]), nn.ReLU(True)]
        for cin, cout in zip(chans[1:-1], chans[2:]):
            layers += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):
        return self.main(z)


class TorchDCGANDiscriminator(nn.Module):
    """pytorch/examples netD: 4 Conv(4, 2, 1) + LeakyReLU(0.2), Conv(8ndf, 1, 4, 1, 0), Sigmoid."""

    def __init__(self, ndf, nc):
        super().__init__()
        chans = [nc, ndf, 2 * ndf, 4 * ndf, 8 * ndf]
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        for cin, cout in zip(chans[1:-1], chans[2:]):
            layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(8 * ndf, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1, 1)


def torch_mlp(sizes, activation):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def _randomise(g, d, nz, nc):
    """Weights large enough that outputs span tanh / sigmoid; BN stats from train-mode passes."""
    for net in (g, d):
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.15)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.3)
                nn.init.normal_(m.bias, 0.0, 0.3)
    with torch.no_grad():
        for _ in range(3):
            fake = g(torch.randn(16, nz, 1, 1))
            d(fake)
            d(torch.rand(16, nc, 64, 64) * 2 - 1)
    g.eval()
    d.eval()


@pytest.fixture(scope="module")
def dcgan_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    nz, ngf, ndf, nc = 12, 8, 4, 3
    g, d = TorchDCGANGenerator(nz, ngf, nc), TorchDCGANDiscriminator(ndf, nc)
    _randomise(g, d, nz, nc)
    folder = tmp_path_factory.mktemp("dcgan")
    torch.save(g.state_dict(), folder / "netG.pth")
    torch.save(d.state_dict(), folder / "netD.pth")
    gan = convert.pytorch_dcgan(folder / "netG.pth", folder / "netD.pth")
    return {"g": g, "d": d, "nz": nz, "nc": nc, "dir": folder, "gan": gan}


@pytest.fixture(scope="module")
def mlp_ckpt(tmp_path_factory):
    """A randomly initialised MLP GAN of the csinva layout (also the 'untrained' baseline)."""
    torch.manual_seed(1)
    g = torch_mlp([64, 256, 256, 784], nn.ReLU).append(nn.Tanh())
    d = torch_mlp([784, 256, 256, 1], lambda: nn.LeakyReLU(0.2)).append(nn.Sigmoid())
    folder = tmp_path_factory.mktemp("mlp")
    torch.save(g.state_dict(), folder / "G.ckpt")
    torch.save(d.state_dict(), folder / "D.ckpt")
    gan = convert.pytorch_mlp_gan(folder / "G.ckpt", folder / "D.ckpt")
    return {"g": g, "d": d, "dir": folder, "gan": gan}


def _nchw(x):
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------- DCGAN match
def test_dcgan_generator_matches_pytorch(dcgan_ckpt):
    c = dcgan_ckpt
    gan = c["gan"]
    assert gan.image_shape == (64, 64, 3) and gan.latent_dim == c["nz"]
    z = np.random.default_rng(0).standard_normal((6, c["nz"])).astype("float32")
    with torch.no_grad():
        expected = c["g"](torch.from_numpy(z)[:, :, None, None]).numpy().transpose(0, 2, 3, 1)
    images = gan.generate(z)
    assert expected.std() > 0.3  # not a near-constant output that anything would match
    assert np.abs(images - expected).max() < TOL


def test_dcgan_discriminator_matches_pytorch(dcgan_ckpt):
    c = dcgan_ckpt
    rng = np.random.default_rng(1)
    with torch.no_grad():
        fake = c["g"](torch.randn(4, c["nz"], 1, 1)).numpy().transpose(0, 2, 3, 1)
    images = np.concatenate([fake, rng.uniform(-1, 1, (4, 64, 64, 3))]).astype("float32")
    with torch.no_grad():
        probs = c["d"](_nchw(images)).numpy()
        logits_t = c["d"].main[:-1](_nchw(images)).reshape(-1, 1).numpy()
    logits = np.asarray(c["gan"].discriminator(images, training=False))
    assert logits_t.std() > 0.5
    assert np.abs(_sigmoid(logits) - probs).max() < TOL
    assert np.abs(logits - logits_t).max() < TOL


def test_dcgan_saved_folder_loads_in_zoo_and_from_config(dcgan_ckpt, tmp_path):
    c = dcgan_ckpt
    out = convert.save_converted(c["gan"], tmp_path / "out")
    assert sorted(os.listdir(out)) == ["config.json", "discriminator.weights.h5", "generator.weights.h5"]
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["architecture"] == "dcgan" and config["converter"] == "pytorch_dcgan"
    assert config["model_args"]["latent_dim"] == c["nz"] and config["model_args"]["g_width"] == 8
    assert config["sources"]["generator"]["sha256"] == zoo.sha256(c["dir"] / "netG.pth")
    assert config["sources"]["discriminator"]["path"] == str(c["dir"] / "netD.pth")
    z = np.random.default_rng(2).standard_normal((2, c["nz"])).astype("float32")
    loaded = convert.load_converted(out, compile=False)
    assert np.array_equal(loaded.generate(z), c["gan"].generate(z))
    images = loaded.generate(z)
    assert np.array_equal(loaded.discriminator(images), c["gan"].discriminator(images))


def test_paper_sized_checkpoint_loads_into_zoo_dcgan_lsun(tmp_path):
    """nz=100, ngf=128, nc=3 is the zoo's dcgan_lsun generator (G only here)."""
    torch.manual_seed(2)
    g = TorchDCGANGenerator(100, 128, 3).eval()
    torch.save(g.state_dict(), tmp_path / "netG.pth")
    out = convert.save_converted(convert.pytorch_dcgan(tmp_path / "netG.pth"), tmp_path / "lsun")
    assert sorted(os.listdir(out)) == ["config.json", "generator.weights.h5"]
    gan = zoo.load("dcgan_lsun", weights=out, compile=False)
    z = np.random.default_rng(3).standard_normal((2, 100)).astype("float32")
    with torch.no_grad():
        expected = g(torch.from_numpy(z)[:, :, None, None]).numpy().transpose(0, 2, 3, 1)
    assert np.abs(gan.generate(z) - expected).max() < TOL


# --------------------------------------------------------------- MLP match
def test_mlp_gan_matches_pytorch(mlp_ckpt):
    c = mlp_ckpt
    gan = c["gan"]
    config = gan.get_config()
    assert (config["latent_dim"], config["g_units"], config["d_units"]) == (64, (256, 256), (256, 256))
    z = np.random.default_rng(4).standard_normal((8, 64)).astype("float32")
    with torch.no_grad():
        expected = c["g"](torch.from_numpy(z)).numpy().reshape(8, 28, 28, 1)
        probs = c["d"](torch.from_numpy(expected.reshape(8, 784))).numpy()
    assert np.abs(gan.generate(z) - expected).max() < TOL
    assert np.abs(_sigmoid(np.asarray(gan.discriminator(expected))) - probs).max() < TOL


def test_mlp_gan_colour_images_use_channels_last(tmp_path):
    """Flat (C, H, W) PyTorch images map to Keras (H, W, C) for non-default sizes."""
    torch.manual_seed(3)
    g = torch_mlp([5, 7, 4 * 4 * 3], nn.ReLU).append(nn.Tanh())
    d = torch_mlp([4 * 4 * 3, 9, 6, 1], lambda: nn.LeakyReLU(0.2))
    torch.save(g.state_dict(), tmp_path / "G.pt")
    torch.save(d.state_dict(), tmp_path / "D.pt")
    gan = convert.pytorch_mlp_gan(tmp_path / "G.pt", tmp_path / "D.pt", image_shape=(4, 4, 3))
    z = np.random.default_rng(5).standard_normal((3, 5)).astype("float32")
    with torch.no_grad():
        chw = g(torch.from_numpy(z)).reshape(3, 3, 4, 4)  # PyTorch's view(-1, C, H, W)
        logits = d(chw.reshape(3, -1)).numpy()
    assert np.abs(gan.generate(z) - chw.numpy().transpose(0, 2, 3, 1)).max() < TOL
    assert np.abs(np.asarray(gan.discriminator(gan.generate(z))) - logits).max() < TOL
    out = convert.save_converted(gan, tmp_path / "out")
    loaded = convert.load_converted(out, compile=False)
    assert loaded.get_config()["d_units"] == (9, 6)
    assert np.array_equal(loaded.generate(z), gan.generate(z))


# --------------------------------------------------------- real checkpoint
def _best_correlation(samples, real):
    """Mean over samples of the highest Pearson correlation with any real image."""

    def unit(x):
        x = x.reshape(len(x), -1).astype("float64")
        x = x - x.mean(1, keepdims=True)
        return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-8)

    return float((unit(samples) @ unit(real).T).max(1).mean())


@pytest.mark.skipif(not CSINVA.is_dir() or not (SHARED / "data" / "mnist.npz").is_file(), reason="needs shared/")
def test_csinva_checkpoint_draws_mnist_digits(mlp_ckpt):
    gan = convert.pytorch_mlp_gan(CSINVA / "G--300.ckpt", CSINVA / "D--300.ckpt")
    samples = gan.sample(64, seed=0)
    real = np.load(SHARED / "data" / "mnist.npz")["x_test"][:2000, :, :, None] / 127.5 - 1.0
    # Pixel statistics (measured: 84% background below -0.9 and 9% bright
    # strokes above 0.5; MNIST: 83% and 10%).
    assert 0.7 < (samples < -0.9).mean() < 0.93
    assert 0.04 < (samples > 0.5).mean() < 0.2
    # Nearest real digit (measured: 0.85; noise and an untrained G: 0.09-0.10).
    score = _best_correlation(samples, real)
    noise = np.random.default_rng(0).uniform(-1, 1, samples.shape)
    untrained = mlp_ckpt["gan"].sample(64, seed=0)
    assert score > 0.7
    assert score > _best_correlation(noise, real) + 0.5
    assert score > _best_correlation(untrained, real) + 0.5
    # Upright and not mirrored (measured: transposed 0.61, upside down 0.72),
    # i.e. the 784 outputs are laid out in the right order.
    assert score > _best_correlation(samples.transpose(0, 2, 1, 3), real) + 0.1
    assert score > _best_correlation(samples[:, ::-1], real) + 0.05
    # The converted discriminator equals the checkpoint's and prefers real digits.
    d = torch_mlp([784, 256, 256, 1], lambda: nn.LeakyReLU(0.2)).append(nn.Sigmoid())
    d.load_state_dict(torch.load(CSINVA / "D--300.ckpt", map_location="cpu", weights_only=True))
    real = real[:256].astype("float32")
    with torch.no_grad():
        probs = d(torch.from_numpy(real.reshape(len(real), -1))).numpy()
    d_real = _sigmoid(np.asarray(gan.discriminator(real)))
    assert np.abs(d_real - probs).max() < TOL
    assert d_real.mean() > _sigmoid(np.asarray(gan.discriminator(samples))).mean()


# ------------------------------------------------------------------ errors
def _one_line_error(exc_info, *fragments):
    message = str(exc_info.value)
    assert len(message.splitlines()) == 1, message
    for fragment in fragments:
        assert fragment in message, message


def test_not_a_checkpoint(tmp_path):
    bad = tmp_path / "notes.pth"
    bad.write_text("this is not a checkpoint\n")
    with pytest.raises(ValueError) as info:
        convert.pytorch_dcgan(bad)
    _one_line_error(info, "notes.pth", "not a PyTorch checkpoint")
    torch.save(nn.Linear(2, 2), tmp_path / "module.pth")  # a whole pickled module: never unpickled
    with pytest.raises(ValueError) as info:
        convert.pytorch_dcgan(tmp_path / "module.pth")
    _one_line_error(info, "not unpickled for safety", "state_dict()")
    with pytest.raises(FileNotFoundError, match="no such checkpoint"):
        convert.pytorch_mlp_gan(tmp_path / "missing.ckpt")


def test_missing_unexpected_and_misshaped_keys(dcgan_ckpt, mlp_ckpt, tmp_path):
    state = torch.load(dcgan_ckpt["dir"] / "netG.pth", weights_only=True)
    missing = {k: v for k, v in state.items() if k != "main.4.running_var"}
    cases = {
        "missing": (missing, "missing key 'main.4.running_var'"),
        "shape": (
            {**state, "main.6.weight": torch.zeros(32, 16, 3, 3)},
            "main.6.weight has shape (32, 16, 3, 3), expected (32, 16, 4, 4)",
        ),
        "extra": ({**state, "main.13.weight": torch.zeros(3)}, "unexpected key 'main.13.weight'"),
    }
    for name, (broken, fragment) in cases.items():
        torch.save(broken, tmp_path / f"{name}.pth")
        with pytest.raises(ValueError) as info:
            convert.pytorch_dcgan(tmp_path / f"{name}.pth")
        _one_line_error(info, fragment, "pytorch/examples DCGAN netG")
    # The discriminator file is checked too, and an MLP is not a DCGAN.
    with pytest.raises(ValueError) as info:
        convert.pytorch_dcgan(dcgan_ckpt["dir"] / "netG.pth", dcgan_ckpt["dir"] / "netG.pth")
    _one_line_error(info, "discriminator checkpoint", "netD")
    with pytest.raises(ValueError) as info:
        convert.pytorch_dcgan(mlp_ckpt["dir"] / "G.ckpt")
    _one_line_error(info, "missing key 'main.0.weight' (the file has '0.weight'")


def test_mlp_shape_errors(mlp_ckpt, tmp_path):
    state = torch.load(mlp_ckpt["dir"] / "G.ckpt", weights_only=True)
    torch.save({**state, "2.weight": torch.zeros(256, 100)}, tmp_path / "G.ckpt")
    with pytest.raises(ValueError) as info:
        convert.pytorch_mlp_gan(tmp_path / "G.ckpt")
    _one_line_error(info, "2.weight has shape (256, 100), expected (?, 256)")
    d_state = torch.load(mlp_ckpt["dir"] / "D.ckpt", weights_only=True)
    torch.save({k: v for k, v in d_state.items() if k != "4.bias"}, tmp_path / "D.ckpt")
    with pytest.raises(ValueError) as info:
        convert.pytorch_mlp_gan(mlp_ckpt["dir"] / "G.ckpt", tmp_path / "D.ckpt")
    _one_line_error(info, "missing key '4.bias'")


def test_missing_torch_says_how_to_install(monkeypatch, mlp_ckpt):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        convert.pytorch_mlp_gan(mlp_ckpt["dir"] / "G.ckpt")


def test_failed_save_leaves_previous_files_intact(mlp_ckpt, tmp_path, monkeypatch):
    gan = mlp_ckpt["gan"]
    out = tmp_path / "out"
    convert.save_converted(gan, out)
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gan.discriminator, "save_weights", broken)
    with pytest.raises(OSError, match="disk full"):
        convert.save_converted(gan, out)
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == before
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    monkeypatch.setattr(gan.discriminator, "save_weights", broken)
    with pytest.raises(OSError):
        convert.save_converted(gan, fresh)
    assert os.listdir(fresh) == []
