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
