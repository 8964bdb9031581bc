"""The zoo: registry, verified weights, the harness over every entry, fine-tuning."""

import json
import pathlib
import shutil

import keras
import numpy as np
import pytest

from kerasgan import data, zoo

SHIPPED = [name for name in zoo.list() if zoo.get_entry(name).files]


def test_registry_lists_entries_sorted_with_info():
    names = zoo.list()
    assert names == sorted(names)
    assert {"dcgan_mnist", "gan_mnist", "dcgan_lsun"} <= set(names)
    info = zoo.info("dcgan_mnist")
    for key in ("architecture", "model_args", "dataset", "recipe", "files", "license", "paper"):
        assert key in info
    assert info["recipe"]["architecture"] == info["architecture"] == "dcgan"
    json.dumps(info, default=list)  # serialisable for `kerasgan info`


def test_unknown_names_get_close_matches():
    with pytest.raises(ValueError, match="did you mean 'dcgan_mnist'"):
        zoo.load("dcgan_mnst")
    with pytest.raises(ValueError, match="kerasgan list"):
        zoo.info("no_such_model_at_all")


def test_dcgan_lsun_without_weights_explains_how_to_get_them():
    with pytest.raises(FileNotFoundError, match="kerasgan convert pytorch-dcgan"):
        zoo.load("dcgan_lsun")
    gan = zoo.load("dcgan_lsun", weights=False)
    assert gan.image_shape == (64, 64, 3)
    assert gan.generator.get_layer("project").kernel.shape == (100, 4 * 4 * 1024)


def test_explicit_weights_folder(tmp_path):
    gan = zoo.load("dcgan_lsun", weights=False, compile=False)
    gan.generator.save_weights(str(tmp_path / "generator.weights.h5"))
    loaded = zoo.load("dcgan_lsun", weights=tmp_path, compile=False)
    np.testing.assert_array_equal(loaded.sample(2, seed=0), gan.sample(2, seed=0))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="has no generator.weights.h5"):
        zoo.load("dcgan_lsun", weights=tmp_path / "empty", compile=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        zoo.load("dcgan_lsun", weights=tmp_path / "missing.weights.h5", compile=False)


def test_every_entry_has_a_released_folder_or_explains_why():
    for name in zoo.list():
        entry = zoo.get_entry(name)
        if entry.files:
            folder = zoo.released_dir(name)
            assert (folder / "card.md").is_file(), name
            assert (folder / "config.json").is_file(), name
            config = json.loads((folder / "config.json").read_text())
            assert config["files"] == entry.files, f"{name}: presets.py and config.json hashes differ"
        else:
            assert "kerasgan" in entry.no_weights_help, name


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_entry_harness(name, tmp_path):
    gan = zoo.load(name)
    for filename, digest in zoo.get_entry(name).files.items():
        assert zoo.sha256(zoo.resolve_file(zoo.get_entry(name), filename)) == digest
    images = gan.sample(8, seed=0)
    assert images.shape == (8,) + gan.image_shape
    assert -1.0 <= images.min() and images.max() <= 1.0
    assert images.std() > 0.1  # not a collapsed constant image
    # export round trip
    path = gan.export(tmp_path / "sm")
    layer = keras.layers.TFSMLayer(path, call_endpoint="serving_default")
    z = gan.latents(4, seed=1)
    np.testing.assert_allclose(layer(z)["images"].numpy(), gan.generate(z), atol=1e-5)
    # one fit step without compile()
    before = [np.array(v) for v in gan.generator.trainable_variables]
    # one generator step takes d_steps real batches (n_critic = 5 for the WGAN entries)
    x = np.random.default_rng(0).uniform(-1, 1, (8 * gan.d_steps,) + gan.image_shape).astype("float32")
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert any(not np.array_equal(b, np.array(v)) for b, v in zip(before, gan.generator.trainable_variables))


@pytest.mark.parametrize("name", SHIPPED[:1])
def test_corrupt_or_swapped_weights_are_refused(name, tmp_path, monkeypatch):
    entry = zoo.get_entry(name)
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    cache = tmp_path / "zoo" / name
    cache.mkdir(parents=True)
    original = zoo.released_dir(name) / "generator.weights.h5"
    corrupt = cache / "generator.weights.h5"
    corrupt.write_bytes(original.read_bytes()[:-100])  # truncated
    with pytest.raises(ValueError, match=r"generator.weights.h5 is corrupt or not the released file .*expected"):
        zoo.load(name)
    # a swapped file (a valid weights file of the wrong entry) is refused too
    shutil.copyfile(zoo.released_dir(name) / "discriminator.weights.h5", corrupt)
    with pytest.raises(ValueError, match="sha256"):
        zoo.load(name)
    corrupt.unlink()
    assert zoo.load(name).image_shape == tuple(entry.model_args["image_shape"])


def test_fine_tune_dcgan_mnist_on_fashion_mnist_900():
    gan = zoo.load("dcgan_mnist")
    ds = data.load("fashion_mnist_900", batch_size=64, seed=0)
    d_before = [np.array(v) for v in gan.discriminator.trainable_variables]
    history = gan.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert int(gan.g_optimizer.iterations) == 3
    assert any(not np.array_equal(b, np.array(v)) for b, v in zip(d_before, gan.discriminator.trainable_variables))


def test_fine_tune_with_a_frozen_discriminator_layer():
    gan = zoo.load("dcgan_mnist", compile=False)
    gan.discriminator.get_layer("conv0").trainable = False
    gan.compile()
    frozen = np.array(gan.discriminator.get_layer("conv0").kernel)
    # one generator step takes d_steps real batches (n_critic = 5 for the WGAN entries)
    x = np.random.default_rng(0).uniform(-1, 1, (8 * gan.d_steps,) + gan.image_shape).astype("float32")
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    np.testing.assert_array_equal(np.array(gan.discriminator.get_layer("conv0").kernel), frozen)


def test_download_by_url_is_verified_before_it_lands_in_the_cache(tmp_path, monkeypatch):
    from kerasgan.zoo.registry import ZooEntry, resolve_file

    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    served = tmp_path / "server"
    served.mkdir()
    shutil.copyfile(zoo.released_dir("dcgan_mnist") / "generator.weights.h5", served / "generator.weights.h5")
    real = zoo.get_entry("dcgan_mnist").files["generator.weights.h5"]

    def entry(digest):
        return ZooEntry("url_only_entry", "dcgan", {}, "test", "test", {}, files={"generator.weights.h5": digest},
                        url=served.as_uri())

    cache = tmp_path / "home" / "zoo" / "url_only_entry"
    with pytest.raises(ValueError, match=f"expected {'0' * 64}"):
        resolve_file(entry("0" * 64), "generator.weights.h5")
    assert not cache.exists() or list(cache.iterdir()) == []  # nothing half-written or unverified is kept
    path = resolve_file(entry(real), "generator.weights.h5")
    assert path == cache / "generator.weights.h5" and zoo.sha256(path) == real
    (served / "generator.weights.h5").unlink()
    assert resolve_file(entry(real), "generator.weights.h5") == path  # cached: no second download


REFERENCE = pathlib.Path(__file__).parent / "data" / "zoo_samples_reference.npz"


@pytest.mark.parametrize("name", SHIPPED)
def test_released_entries_still_draw_their_reference_samples(name):
    # tests/data/zoo_samples_reference.npz was written by tools/zoo_sample_reference.py from the code before the
    # conditional platform (commit e233974): the same weights must give the same samples for the same seed.
    with np.load(REFERENCE) as ref:
        assert f"{name}/samples" in ref.files, f"{name} has no reference samples: run tools/zoo_sample_reference.py"
        expected, sha = ref[f"{name}/samples"].astype("float32"), str(ref[f"{name}/generator_sha256"])
    entry = zoo.get_entry(name)
    assert sha == entry.files["generator.weights.h5"], (
        f"{name}'s weights changed since the reference was written: rerun tools/zoo_sample_reference.py"
    )
    gan = zoo.load(name, compile=False)
    np.testing.assert_allclose(gan.sample(2, seed=0), expected, atol=2e-3)


def test_load_any_takes_zoo_names_and_keras_files(tmp_path):
    by_name = zoo.load_any("dcgan_mnist")
    np.testing.assert_array_equal(by_name.sample(4, seed=1), zoo.load("dcgan_mnist", compile=False).sample(4, seed=1))
    path = tmp_path / "model.keras"
    by_name.save(path)
    from_file = zoo.load_any(str(path))
    assert type(from_file) is type(by_name)
    np.testing.assert_allclose(from_file.sample(4, seed=1), by_name.sample(4, seed=1), atol=1e-6)
    with pytest.raises(ValueError, match=r"no such model file: .*missing\.keras: check the path"):
        zoo.load_any(str(tmp_path / "missing.keras"))
    with pytest.raises(ValueError, match=r"--weights applies to zoo names"):
        zoo.load_any(str(path), weights="w.weights.h5")
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"^cannot load .*junk\.keras: "):
        zoo.load_any(str(tmp_path / "junk.keras"))
    with pytest.raises(ValueError, match="dcgan_mnist"):
        zoo.load_any("dcgan_mnst")
