"""Retrieval precision of a joint image/text embedding (text -> image cards), as numpy maths.

``r_precision``: for each image, its own caption among ``candidates - 1``
captions of *other* items drawn at random; the image counts as retrieved when
its own caption scores strictly highest by cosine similarity. Chance is
``1 / candidates``. This is the R-precision of Xu et al. 2018 (AttnGAN) with
R = 1 and 100 candidates, computed here in the embedding space the text ->
image model's own frozen encoders define; score real images the same way
to read a generated image's number against what the encoders allow.

Reference:
    Xu et al., "AttnGAN: Fine-Grained Text to Image Generation with Attentional
    Generative Adversarial Networks", CVPR 2018 (R-precision).
"""

import numpy as np

from kerasgan.metrics._checks import features_2d, same_dims


def _unit(x):
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def r_precision(image_embeddings, text_embeddings, items=None, candidates=100, seed=0):
    """Share of images whose own caption beats ``candidates - 1`` others' (cosine similarity).

    Args:
        image_embeddings, text_embeddings: (N, D); row i of each belong together.
        items: optional (N,) ids; captions of the same id (another drawing of
            the same emoji, say) are never drawn as distractors.
        candidates: captions each image is compared with, its own included.
        seed: draws the distractors.

    Raises:
        ValueError: shapes differ, non-finite values, or fewer other items than ``candidates - 1``.
    """
    images = features_2d(image_embeddings, "image_embeddings")
    texts = features_2d(text_embeddings, "text_embeddings")
    same_dims(images, texts, "image_embeddings", "text_embeddings")
    if len(images) != len(texts):
        raise ValueError(f"got {len(images)} images and {len(texts)} captions: give one caption per image")
    if isinstance(candidates, bool) or int(candidates) != candidates or candidates < 2:
        raise ValueError(f"candidates must be an integer >= 2, got {candidates!r}")
    items = np.arange(len(images)) if items is None else np.asarray(items)
    if items.shape != (len(images),):
        raise ValueError(f"items must have one id per image, shape ({len(images)},), got {items.shape}")
    images, texts = _unit(images), _unit(texts)
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(images), bool)
    for i in range(len(images)):
        others = np.flatnonzero(items != items[i])
        if len(others) < candidates - 1:
            raise ValueError(f"only {len(others)} captions of other items for {candidates - 1} distractors: lower candidates")
        chosen = rng.choice(others, candidates - 1, replace=False)
        own = images[i] @ texts[i]
        hits[i] = own > np.max(texts[chosen] @ images[i])
    return float(np.mean(hits))
