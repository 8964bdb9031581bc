"""File helpers without TensorFlow imports: hashes and the kerasgan home folder."""

import hashlib
import os
import pathlib


def sha256(path, chunk=1 << 20):
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def kerasgan_home():
    """``$KERASGAN_HOME`` (default ``~/.kerasgan``): caches of weights and statistics."""
    return pathlib.Path(os.environ.get("KERASGAN_HOME", os.path.expanduser("~/.kerasgan")))


def download_verified(url, path, expected_sha256, what=None):
    """Downloads ``url`` to ``path`` only if its sha256 is ``expected_sha256``.

    ``keras.utils.get_file`` fetches into a temporary name beside ``path``
    (with its progress bar and network error messages) and checks the hash;
    the file is renamed to ``path`` only after that check, and the temporary
    file is removed on any failure, so ``path`` is either complete and
    verified or absent. Works with ``file://`` URLs.

    Raises:
        ValueError: the downloaded file's sha256 differs (both hashes named).
    """
    import keras

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".download-{os.getpid()}-{path.name}")
    what = what or path.name
    try:
        keras.utils.get_file(fname=tmp.name, origin=url, cache_dir=str(path.parent), cache_subdir="", force_download=True)
        actual = sha256(tmp)
        if actual != expected_sha256:
            raise ValueError(
                f"download of {what} from {url} is corrupt or not the expected file: sha256 {actual}, "
                f"expected {expected_sha256}; nothing was kept, try again or fetch the file by hand"
            )
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
