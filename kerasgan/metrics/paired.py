"""Paired image metrics for image -> image models: L1, PSNR and SSIM against the true targets.

Images are float arrays in [-1, 1] (the models' range). ``l1`` is the mean
absolute difference in those units (the quantity pix2pix's L1 term
minimises, so 2.0 is the largest possible); ``psnr`` and ``ssim`` are
computed by ``tf.image`` on images mapped to [0, 1] (``max_val=1``; SSIM with
its standard 11x11 Gaussian window, sigma 1.5, k1 = 0.01, k2 = 0.03) and
averaged over images. PSNR of an image identical to its target is infinite;
the mean is then infinite too.
"""

import numpy as np

PAIRED_METRICS = ("l1", "psnr", "ssim")


def _checked(images, what):
    images = np.asarray(images)
    if images.dtype.kind != "f":
        raise TypeError(f"{what} must be float images in [-1, 1], got dtype {images.dtype}: convert uint8 with kerasgan.data.from_uint8")
    if images.ndim != 4:
        raise ValueError(f"{what} must be a batch (N, H, W, C), got shape {images.shape}")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{what} contain NaN or Inf")
    if images.size and (images.min() < -1.0 or images.max() > 1.0):
        raise ValueError(f"{what} must lie in [-1, 1], got {images.min():.3g} to {images.max():.3g}: scale them with x / 127.5 - 1")
    return images.astype("float32")


def paired_scores(outputs, targets, batch_size=256):
    """``{"l1", "psnr", "ssim"}`` of ``outputs`` against ``targets`` (same shape, float in [-1, 1]), means over images.

    Raises:
        ValueError / TypeError: shapes differ, no images, wrong dtype or range.
    """
    import tensorflow as tf

    outputs, targets = _checked(outputs, "outputs"), _checked(targets, "targets")
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs {outputs.shape} and targets {targets.shape} differ in shape: give one target per output")
    if not len(outputs):
        raise ValueError("no images to compare")
    if min(outputs.shape[1:3]) < 11:
        raise ValueError(f"SSIM's 11x11 window needs images of at least 11x11, got {outputs.shape[1]}x{outputs.shape[2]}")
    l1, psnr, ssim = [], [], []
    for start in range(0, len(outputs), batch_size):
        a = (outputs[start : start + batch_size] + 1.0) / 2.0
        b = (targets[start : start + batch_size] + 1.0) / 2.0
        l1.append(np.mean(np.abs(a - b).reshape(len(a), -1), axis=1) * 2.0)
        psnr.append(tf.image.psnr(a, b, max_val=1.0).numpy())
        ssim.append(tf.image.ssim(a, b, max_val=1.0).numpy())
    return {name: float(np.mean(np.concatenate(v))) for name, v in (("l1", l1), ("psnr", psnr), ("ssim", ssim))}
