"""File helpers without TensorFlow imports: hashes and the kerasgan home folder."""

import contextlib
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


def checked_weights(path, expected_sha256, what, hint=""):
    """``path`` as a ``pathlib.Path`` if it is a file whose sha256 is ``expected_sha256`` (``None`` skips the check).

    Raises:
        FileNotFoundError: no such file (``hint`` says how to get one).
        ValueError: the file's sha256 differs: corrupt, or not the expected file.
    """
    path = pathlib.Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"{what} weights not found: {path} is not a file{hint}")
    if expected_sha256 is not None:
        actual = sha256(path)
        if actual != expected_sha256:
            raise ValueError(f"{what} weights {path} are corrupt or not the expected file: sha256 {actual}, expected {expected_sha256}")
    return path


def save_bare_weights(model, build, out):
    """Writes ``model``'s weights to ``out`` (``*.weights.h5``) through a fresh ``build()`` copy, atomically.

    The weights are copied into an uncompiled model first (a compiled model's
    file would also hold the optimizer's state) and written to a temporary
    file beside ``out`` that is renamed only when complete.
    """
    out = pathlib.Path(out)
    if not out.name.endswith(".weights.h5"):
        raise ValueError(f"the weights file must end with .weights.h5, got {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name[:-len('.weights.h5')]}.tmp{os.getpid()}.weights.h5")
    try:
        bare = build()
        for target, source in zip(bare.weights, model.weights, strict=True):
            target.assign(source.value)
        bare.save_weights(tmp)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def kerasgan_home():
    """``$KERASGAN_HOME`` (default ``~/.kerasgan``): caches of weights and statistics."""
    return pathlib.Path(os.environ.get("KERASGAN_HOME", os.path.expanduser("~/.kerasgan")))


@contextlib.contextmanager
def verified_write(path, expected_sha256, mismatch):
    """Yields a temporary path beside ``path`` to write; keeps it only if its hash is right.

    On leaving the block the temporary file is renamed to ``path`` if its
    sha256 is ``expected_sha256``; otherwise ``ValueError(mismatch(actual))``
    is raised. On any failure the temporary file is removed, so ``path`` is
    either complete and verified or untouched.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        yield tmp
        actual = sha256(tmp)
        if actual != expected_sha256:
            raise ValueError(mismatch(actual))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def download_verified(url, path, expected_sha256, what=None):
    """Downloads ``url`` to ``path`` only if its sha256 is ``expected_sha256``.

    ``keras.utils.get_file`` fetches into a temporary name beside ``path``
    (with its progress bar and network error messages); the file is renamed
    to ``path`` only after the hash check (``verified_write``), so ``path`` is
    either complete and verified or absent. Works with ``file://`` URLs.

    Raises:
        ValueError: the downloaded file's sha256 differs (both hashes named).
    """
    import keras

    what = what or pathlib.Path(path).name

    def mismatch(actual):
        return (
            f"download of {what} from {url} is corrupt or not the expected file: sha256 {actual}, "
            f"expected {expected_sha256}; nothing was kept, try again or fetch the file by hand"
        )

    with verified_write(path, expected_sha256, mismatch) as tmp:
        keras.utils.get_file(fname=tmp.name, origin=url, cache_dir=str(tmp.parent), cache_subdir="", force_download=True)
    return pathlib.Path(path)
