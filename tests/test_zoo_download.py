"""Zoo weights outside the wheel: search folders, real HTTP downloads from 127.0.0.1, `kerasgan download`, wheel budget."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest

from kerasgan import cli, zoo
from kerasgan.zoo import bundle, registry

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ("generator.weights.h5", "discriminator.weights.h5")


@pytest.fixture
def assets(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp/assets (release assets laid out NAME/FILE)."""
    root = tmp_path / "assets"
    root.mkdir()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def remote_entry(monkeypatch, tmp_path):
    """'remote_dcgan': dcgan_mnist's networks and weights, registered with no local files."""
    zoo.list()
    source = registry.get_entry("dcgan_mnist")
    entry = registry.ZooEntry(name="remote_dcgan", architecture="dcgan", model_args=dict(source.model_args),
                              description="test", dataset="mnist", recipe={}, files=dict(source.files))
    monkeypatch.setitem(registry._ENTRIES, entry.name, entry)
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(registry.ZOO_URL_ENV, raising=False)
    monkeypatch.delenv(registry.ZOO_DIR_ENV, raising=False)
    return entry


def _publish(root, name):
    (root / name).mkdir(parents=True, exist_ok=True)
    for f in FILES:
        shutil.copyfile(zoo.resolve_file(registry.get_entry("dcgan_mnist"), f), root / name / f)


def test_download_from_the_release_url_then_offline(assets, remote_entry, monkeypatch, tmp_path):
    root, url = assets
    with pytest.raises(FileNotFoundError, match=r"not installed .*set KERASGAN_ZOO_URL .*kerasgan download remote_dcgan"):
        zoo.load("remote_dcgan")
    _publish(root, "remote_dcgan")
    monkeypatch.setenv(registry.ZOO_URL_ENV, url)
    gan = zoo.load("remote_dcgan")
    np.testing.assert_array_equal(gan.sample(4, seed=0), zoo.load("dcgan_mnist").sample(4, seed=0))
    cached = tmp_path / "home" / "zoo" / "remote_dcgan"
    assert sorted(os.listdir(cached)) == sorted(FILES)
    # Offline afterwards: the server's files are gone, the verified copies are used.
    shutil.rmtree(root / "remote_dcgan")
    np.testing.assert_array_equal(zoo.load("remote_dcgan").sample(4, seed=0), gan.sample(4, seed=0))


def test_a_corrupt_download_is_refused_and_not_kept(assets, remote_entry, monkeypatch, tmp_path):
    root, url = assets
    _publish(root, "remote_dcgan")
    with open(root / "remote_dcgan" / FILES[0], "r+b") as f:
        f.seek(4000)
        f.write(b"\x00\x01\x02\x03")
    monkeypatch.setenv(registry.ZOO_URL_ENV, url)
    with pytest.raises(ValueError, match="is corrupt or not the expected file"):
        zoo.download("remote_dcgan")
    cached = tmp_path / "home" / "zoo" / "remote_dcgan"
    assert (sorted(os.listdir(cached)) if cached.exists() else []) == []  # no partial or temporary file


def test_a_local_zoo_folder_is_searched_before_downloading(remote_entry, monkeypatch, tmp_path):
    _publish(tmp_path / "myzoo", "remote_dcgan")
    monkeypatch.setenv(registry.ZOO_DIR_ENV, str(tmp_path / "myzoo"))
    monkeypatch.setenv(registry.ZOO_URL_ENV, "http://127.0.0.1:9/unreachable")
    paths = zoo.download("remote_dcgan")
    assert {p.parent for p in paths.values()} == {tmp_path / "myzoo" / "remote_dcgan"}
    dirs = registry.search_dirs("remote_dcgan")
    assert dirs[0] == tmp_path / "home" / "zoo" / "remote_dcgan" and tmp_path / "myzoo" / "remote_dcgan" in dirs


def test_cli_download(assets, remote_entry, monkeypatch, capsys, tmp_path):
    root, url = assets
    _publish(root, "remote_dcgan")
    monkeypatch.setenv(registry.ZOO_URL_ENV, url)
    assert cli.main(["download", "remote_dcgan", "dcgan_mnist"]) == 0
    out = capsys.readouterr().out
    assert f"remote_dcgan: 2 files verified in {tmp_path / 'home' / 'zoo' / 'remote_dcgan'}" in out
    assert "dcgan_mnist: 2 files verified in" in out
    assert cli.main(["download", "--all"]) == 0
    listed = capsys.readouterr().out
    assert all(f"{n}: " in listed for n in zoo.list() if registry.get_entry(n).files)
    for argv, message in ((["download"], "name the zoo entries"), (["download", "dcgan_mnst"], "did you mean 'dcgan_mnist'"),
                          (["download", "dcgan_lsun"], "ships no weights")):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


def test_large_entries_stay_out_of_the_wheel(tmp_path):
    for name, size in (("small", 1000), ("large", 5000)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "generator.weights.h5").write_bytes(b"x" * size)
        (tmp_path / name / "card.md").write_text("card")
    assert bundle.bundled_files(tmp_path, limit=4000) == ["large/card.md", "small/card.md", "small/generator.weights.h5"]


def test_the_wheel_is_within_its_budget_and_carries_the_small_entries(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, KERASGAN_TENSORFLOW="tensorflow-cpu"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = [p for p in tmp_path.iterdir() if p.suffix == ".whl"]
    assert wheel.stat().st_size <= bundle.WHEEL_BUDGET_BYTES, f"{wheel.stat().st_size / 2**20:.1f} MB"
    with zipfile.ZipFile(wheel) as z:
        shipped = sorted(n.split("kerasgan/zoo_files/", 1)[1] for n in z.namelist() if n.startswith("kerasgan/zoo_files/") and "/" in n.split("kerasgan/zoo_files/", 1)[1])
    assert shipped == bundle.bundled_files(os.path.join(REPO, "zoo"))
