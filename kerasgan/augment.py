"""Differentiable augmentations for data-efficient GAN training.

``diff_augment`` is DiffAugment (Zhao et al. 2020): a fixed policy applied to
every image the discriminator sees, real and fake. ``AdaptiveAugment`` is ADA
(Karras et al. 2020): each augmentation is applied with a probability ``p``
that is tuned during training from the overfitting heuristic
``r_t = E[sign(D(real))]``.

All ops are plain TensorFlow, differentiable w.r.t. the images (so the
generator is trained through them), and usable inside ``tf.function`` and a
``tf.distribute`` replica context. Images are float NHWC in [-1, 1]. Random
parameters are drawn per sample from an explicit stateless ``seed`` (an int
or a shape-(2,) integer tensor, e.g. ``keras.random.SeedGenerator.next()``),
so the same seed gives the same augmentation. Under a strategy with several
replicas the replica id is folded into the seed, so replicas draw different
parameters for their shards of the batch.
"""

import numbers

import keras
import tensorflow as tf

# Philox explicitly, and floats made from integer draws: with the default
# "auto_select", and for TF's own float draws even with Philox, XLA
# (jit_compile) gives other numbers for the same seed than the CPU/GPU kernels.
_ALG = "philox"

# ----------------------------------------------------------------- helpers


def _as_seed(seed):
    """A shape-(2,) int64 seed tensor from an int or a (2,) integer tensor."""
    if seed is None:
        raise ValueError("a seed is required: pass an int or a shape-(2,) int tensor")
    if isinstance(seed, numbers.Integral):
        return _fold_replica(tf.constant([int(seed), 0], tf.int64))
    seed = tf.convert_to_tensor(seed)
    if not seed.dtype.is_integer:
        raise ValueError(f"seed must be an int or an integer tensor, got dtype {seed.dtype.name}")
    if seed.shape.rank is not None and (seed.shape.rank != 1 or seed.shape[0] not in (None, 2)):
        raise ValueError(f"seed must have shape (2,), got {tuple(seed.shape)}")
    return _fold_replica(tf.cast(seed, tf.int64))


def _fold_replica(seed):
    ctx = tf.distribute.get_replica_context()
    if ctx is not None and ctx.num_replicas_in_sync > 1:
        seed = tf.random.experimental.stateless_fold_in(seed, ctx.replica_id_in_sync_group, alg=_ALG)
    return seed


def _uniform(n, seed, low=0.0, high=1.0):
    """(n,) float32 uniform in (low, high), the same with and without XLA."""
    # 23 bits, so that (bits + 0.5) / 2**23 and 2 * unit - 1 are exact in
    # float32 and never round to 0 or 1 (erfinv(+-1) is infinite).
    bits = tf.random.stateless_uniform([n], seed, 0, 1 << 23, tf.int32, alg=_ALG)
    unit = (tf.cast(bits, tf.float32) + 0.5) * (1.0 / (1 << 23))
    return low + (high - low) * unit


def _normal(n, seed):
    """(n,) float32 standard normal (inverse-CDF of ``_uniform``)."""
    return tf.sqrt(2.0) * tf.math.erfinv(2.0 * _uniform(n, seed) - 1.0)


def _sub_seed(seed, index):
    """An independent seed for draw number ``index`` (stable across policies)."""
    return tf.random.experimental.stateless_fold_in(seed, index, alg=_ALG)


def _check_images(images):
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
        raise ValueError(f"images must be float in [-1, 1], got dtype {images.dtype.name}")
    if images.shape.rank is not None and images.shape.rank != 4:
        raise ValueError(f"images must be NHWC (rank 4), got shape {tuple(images.shape)}")
    return images


def _per_sample(values, dtype):
    """(N,) -> (N, 1, 1, 1) so a per-sample value broadcasts over an image."""
    return tf.reshape(tf.cast(values, dtype), [-1, 1, 1, 1])


def _reflect(index, size):
    """Reflect indices into [0, size) without repeating the edge (numpy 'reflect')."""
    period = tf.maximum(2 * (size - 1), 1)
    index = tf.math.floormod(index, period)
    return tf.where(index > size - 1, period - index, index)


def _shift_axis(images, shift, axis, fill):
    """Shift each image by ``shift[i]`` whole pixels along ``axis`` (1 or 2).

    ``out[..., j, ...] = images[..., j - shift, ...]``: content moves by
    +shift. Pixels brought in from outside are 0 (``fill="zeros"``) or the
    mirror image of the inside (``fill="reflect"``). A gather, so the
    gradient w.r.t. the images is the matching scatter.
    """
    size = tf.shape(images)[axis]
    source = tf.range(size)[tf.newaxis, :] - shift[:, tf.newaxis]  # (N, size)
    if fill == "reflect":
        return tf.gather(images, _reflect(source, size), axis=axis, batch_dims=1)
    inside = (source >= 0) & (source < size)
    out = tf.gather(images, tf.clip_by_value(source, 0, size - 1), axis=axis, batch_dims=1)
    inside = tf.cast(inside, images.dtype)
    inside = inside[:, :, tf.newaxis, tf.newaxis] if axis == 1 else inside[:, tf.newaxis, :, tf.newaxis]
    return out * inside


def _translate(images, shift_y, shift_x, fill):
    return _shift_axis(_shift_axis(images, shift_y, 1, fill), shift_x, 2, fill)


def _channel_mean(images):
    return tf.reduce_mean(images, axis=3, keepdims=True)


# -------------------------------------------------------------- DiffAugment


def _rand_brightness(images, seed):
    n = tf.shape(images)[0]
    shift = _uniform(n, seed, -0.5, 0.5)
    return images + _per_sample(shift, images.dtype)


def _rand_saturation(images, seed):
    n = tf.shape(images)[0]
    scale = _per_sample(_uniform(n, seed, 0.0, 2.0), images.dtype)
    mean = _channel_mean(images)
    return (images - mean) * scale + mean


def _rand_contrast(images, seed):
    n = tf.shape(images)[0]
    scale = _per_sample(_uniform(n, seed, 0.5, 1.5), images.dtype)
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * scale + mean


def _rand_translation(images, seed, ratio=8):
    # As in the authors' TensorFlow reference (DiffAugment_tf.py): each image
    # is shifted by an integer drawn uniformly from [-S // 8, S // 8]
    # independently along each axis (S = H for rows, W for columns), and the
    # uncovered border is filled with 0 (the grey of [-1, 1] images), not -1.
    # (Their PyTorch version rounds S / 8 instead of flooring it.)
    n, h, w = tf.shape(images)[0], tf.shape(images)[1], tf.shape(images)[2]
    seed_y, seed_x = _sub_seed(seed, 0), _sub_seed(seed, 1)
    shift_y = tf.random.stateless_uniform([n], seed_y, -(h // ratio), h // ratio + 1, tf.int32, alg=_ALG)
    shift_x = tf.random.stateless_uniform([n], seed_x, -(w // ratio), w // ratio + 1, tf.int32, alg=_ALG)
    return _translate(images, shift_y, shift_x, "zeros")


def _cutout_mask(h, w, centre_y, centre_x, dtype):
    """(N, H, W, 1) mask: 0 on the (H//2, W//2) box centred at the centres, else 1."""
    size_y, size_x = h // 2, w // 2
    top, left = centre_y - size_y // 2, centre_x - size_x // 2
    rows = tf.range(h)[tf.newaxis, :]
    cols = tf.range(w)[tf.newaxis, :]
    in_rows = (rows >= top[:, tf.newaxis]) & (rows < (top + size_y)[:, tf.newaxis])
    in_cols = (cols >= left[:, tf.newaxis]) & (cols < (left + size_x)[:, tf.newaxis])
    box = in_rows[:, :, tf.newaxis] & in_cols[:, tf.newaxis, :]
    return 1.0 - tf.cast(box, dtype)[..., tf.newaxis]


def _rand_cutout(images, seed):
    # As in the authors' reference: the box is (H // 2, W // 2); its centre
    # (top-left + size // 2) is uniform over the image rows/columns, plus
    # one position past the end when the size is even, so the box may hang
    # over the border and is then clipped; covered pixels are set to 0.
    n, h, w = tf.shape(images)[0], tf.shape(images)[1], tf.shape(images)[2]
    extra_y, extra_x = 1 - (h // 2) % 2, 1 - (w // 2) % 2
    centre_y = tf.random.stateless_uniform([n], _sub_seed(seed, 0), 0, h + extra_y, tf.int32, alg=_ALG)
    centre_x = tf.random.stateless_uniform([n], _sub_seed(seed, 1), 0, w + extra_x, tf.int32, alg=_ALG)
    return images * _cutout_mask(h, w, centre_y, centre_x, images.dtype)


# name -> [(seed index, op)]; the seed index keeps each op's draws the same
# whatever else the policy contains.
_DIFF_AUGMENT_OPS = {
    "color": [(0, _rand_brightness), (1, _rand_saturation), (2, _rand_contrast)],
    "translation": [(3, _rand_translation)],
    "cutout": [(4, _rand_cutout)],
}
POLICIES = tuple(_DIFF_AUGMENT_OPS)


def _parse_policy(policy):
    if isinstance(policy, str):
        names = [name.strip() for name in policy.split(",") if name.strip()]
    else:
        names = list(policy)
    for name in names:
        if name not in _DIFF_AUGMENT_OPS:
            raise ValueError(
                f"unknown DiffAugment policy {name!r}; valid policies: {', '.join(POLICIES)}"
            )
    return names


def diff_augment(images, policy="color,translation,cutout", seed=None):
    """DiffAugment: the same differentiable augmentations for real and fake images.

    Applied, in the order given, to every image that the discriminator sees
    (in both the D and the G step), with parameters drawn per sample:

    - ``color``: brightness ``x + b``, ``b ~ U(-0.5, 0.5)``; saturation
      ``m + s (x - m)`` with ``m`` the per-pixel channel mean, ``s ~ U(0, 2)``
      (a no-op on 1-channel images); contrast ``m + c (x - m)`` with ``m`` the
      per-image mean, ``c ~ U(0.5, 1.5)``.
    - ``translation``: an integer shift in ``[-S // 8, S // 8]`` pixels along
      each axis, the uncovered border filled with 0.
    - ``cutout``: a ``(H // 2, W // 2)`` box at a uniformly random centre
      (clipped at the border) set to 0.

    Args:
        images: float ``(N, H, W, C)`` in [-1, 1].
        policy: comma-separated names from ``POLICIES`` (or a list of them);
            ``""`` returns the images unchanged.
        seed: int or shape-(2,) integer tensor; the same seed gives the
            same augmentation.

    Returns:
        Augmented images, same shape and dtype.

    Example:
    >>> seed = seed_generator.next()          # in train_step
    >>> d_real = discriminator(diff_augment(real, seed=seed))
    >>> d_fake = discriminator(diff_augment(fake, seed=seed + 1))

    Reference:
        Zhao et al., "Differentiable Augmentation for Data-Efficient GAN
        Training", NeurIPS 2020, Section 3 and Figure 4.
    """
    names = _parse_policy(policy)
    images = _check_images(images)
    if not names:
        return images
    seed = _as_seed(seed)
    for name in names:
        for index, op in _DIFF_AUGMENT_OPS[name]:
            images = op(images, _sub_seed(seed, index))
    return images


# ---------------------------------------------------------------------- ADA

# Strengths of the ADA 'bgc' transforms that are implemented (paper,
# Appendix B.1): translation uniform in +-1/8 of the image size, rounded to
# whole pixels; brightness N(0, 0.2); contrast and saturation log-normal,
# 2 ** N(0, 0.5) and 2 ** N(0, 1).
_ADA_MAX_TRANSLATION = 0.125
_ADA_BRIGHTNESS_STD = 0.2
_ADA_CONTRAST_STD = 0.5
_ADA_SATURATION_STD = 1.0


def _where(apply, augmented, images):
    """Per-sample select: ``augmented[i]`` where ``apply[i]``, else ``images[i]`` exactly."""
    return tf.where(tf.reshape(apply, [-1, 1, 1, 1]), augmented, images)


def _rot90(images, k):
    """Rotate image i by ``k[i]`` quarter turns counter-clockwise (square images only)."""
    swap = [0, 2, 1, 3]
    turns = {
        1: tf.transpose(tf.reverse(images, axis=[2]), swap),
        2: tf.reverse(images, axis=[1, 2]),
        3: tf.reverse(tf.transpose(images, swap), axis=[2]),
    }
    out = images
    for turn, rotated in turns.items():
        out = _where(tf.equal(k, turn), rotated, out)
    return out


def _maybe_rot90(images, k):
    h, w = images.shape[1], images.shape[2]
    if h is not None and w is not None:
        return _rot90(images, k) if h == w else images
    shape = tf.shape(images)
    out = tf.cond(tf.equal(shape[1], shape[2]), lambda: _rot90(images, k), lambda: images)
    out.set_shape(images.shape)
    return out


@keras.saving.register_keras_serializable(package="kerasgan")
class AdaptiveAugment(keras.layers.Layer):
    """ADA: augmentations applied with a probability ``p`` tuned during training.

    ``call(images, seed)`` applies, each to a sample with probability ``p``
    (drawn independently per transform and per sample), a differentiable
    subset of the paper's 'bgc' pipeline: x-flip, 90-degree rotation (square
    images), integer translation by up to 1/8 of the size (reflect padding, as
    in the paper), brightness, contrast and saturation. With ``p == 0`` the
    output is the input, exactly.

    ``update(real_logits)`` is called once per discriminator step with
    ``D(augmented real)``. It accumulates ``sign(D(real))`` and, every
    ``interval`` calls, sets ``r_t = E[sign(D(real))]`` over the interval and

        p <- clip(p + sign(r_t - target) * n / (speed_kimg * 1000), 0, 1)

    with ``n`` the number of real images seen in the interval (``batch_size *
    interval``, the paper's formula; over all replicas under a strategy), so
    ``p`` can go from 0 to 1 in ``speed_kimg`` thousand images.

    ``p`` and ``rt`` (the last ``r_t``) are non-trainable float32 weights:
    saved and restored with the model's weights and readable for logging.

    Args:
        target: the target value of ``r_t`` (paper: 0.6).
        interval: discriminator steps between adjustments of ``p`` (paper: 4).
        speed_kimg: thousands of images for ``p`` to go from 0 to 1 (paper: 500).
        initial_p: the starting probability.

    Example:
    >>> ada = AdaptiveAugment()
    >>> # in train_step, inside the discriminator's tape:
    >>> real_logits = discriminator(ada(real, seed))
    >>> fake_logits = discriminator(ada(fake, seed + 1))
    >>> ada.update(real_logits)

    Reference:
        Karras et al., "Training Generative Adversarial Networks with Limited
        Data", NeurIPS 2020, Section 3 and Appendix B.
    """

    def __init__(self, target=0.6, interval=4, speed_kimg=500.0, initial_p=0.0, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"target must be in [0, 1], got {target}")
        if int(interval) != interval or interval < 1:
            raise ValueError(f"interval must be a positive integer of steps, got {interval}")
        if not speed_kimg > 0:
            raise ValueError(f"speed_kimg must be > 0 (thousands of images), got {speed_kimg}")
        if not 0.0 <= initial_p <= 1.0:
            raise ValueError(f"initial_p must be in [0, 1], got {initial_p}")
        self.target = float(target)
        self.interval = int(interval)
        self.speed_kimg = float(speed_kimg)
        self.initial_p = float(initial_p)

        def weight(name, value=0.0, dtype="float32"):
            return self.add_weight(
                shape=(),
                initializer=keras.initializers.Constant(value),
                dtype=dtype,
                trainable=False,
                aggregation="only_first_replica",
                name=name,
            )

        self.p = weight("p", self.initial_p)
        self.rt = weight("rt")
        self.sign_sum = weight("sign_sum")  # sum of sign(D(real)) in this interval
        self.num_real = weight("num_real")  # real images seen in this interval
        self.num_updates = weight("num_updates", 0, "int64")
        self.built = True

    def update(self, real_logits):
        """Accumulate ``sign(real_logits)``; adjust ``p`` every ``interval`` calls.

        Args:
            real_logits: discriminator outputs on the (augmented) real batch,
                ``(N,)`` or ``(N, 1)``. Under a strategy, the per-replica batch;
                the statistics are summed over replicas.

        Returns:
            The new ``p`` (float32 scalar).
        """
        signs = tf.sign(tf.reshape(tf.cast(real_logits, tf.float32), [-1]))
        stats = tf.stack([tf.reduce_sum(signs), tf.cast(tf.size(signs), tf.float32)])
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            stats = ctx.all_reduce(tf.distribute.ReduceOp.SUM, stats)
        sign_sum = tf.convert_to_tensor(self.sign_sum) + stats[0]
        num_real = tf.convert_to_tensor(self.num_real) + stats[1]
        num_updates = tf.convert_to_tensor(self.num_updates) + 1
        adjust_now = tf.equal(num_updates % self.interval, 0)

        rt = tf.math.divide_no_nan(sign_sum, num_real)
        step = tf.sign(rt - self.target) * num_real / (self.speed_kimg * 1000.0)
        p = tf.convert_to_tensor(self.p)
        new_p = tf.clip_by_value(p + step, 0.0, 1.0)

        zero = tf.zeros_like(sign_sum)
        self.p.assign(tf.where(adjust_now, new_p, p))
        self.rt.assign(tf.where(adjust_now, rt, tf.convert_to_tensor(self.rt)))
        self.sign_sum.assign(tf.where(adjust_now, zero, sign_sum))
        self.num_real.assign(tf.where(adjust_now, zero, num_real))
        self.num_updates.assign(num_updates)
        return tf.convert_to_tensor(self.p)

    def call(self, images, seed=None):
        """Augment ``images`` (N, H, W, C) in [-1, 1]; ``seed`` is an int or (2,) int tensor."""
        images = _check_images(images)
        seed = _as_seed(seed)
        dtype = images.dtype
        n, h, w = tf.shape(images)[0], tf.shape(images)[1], tf.shape(images)[2]
        p = tf.cast(tf.convert_to_tensor(self.p), tf.float32)

        def draw(index, kind="uniform"):
            s = _sub_seed(seed, index)
            return _normal(n, s) if kind == "normal" else _uniform(n, s)

        def apply(index):
            return draw(index) < p  # (N,) bool: this transform is applied to sample i

        # x-flip: applied with probability p, then flips with probability 1/2.
        flip = apply(0) & (draw(1) < 0.5)
        images = _where(flip, tf.reverse(images, axis=[2]), images)
        # 90-degree rotations: k uniform in {0, 1, 2, 3}.
        k = tf.where(apply(2), tf.cast(tf.floor(draw(3) * 4.0), tf.int32), 0)
        images = _maybe_rot90(images, tf.minimum(k, 3))
        # Integer translation: uniform in +-1/8 of the size, rounded to pixels.
        on = apply(4)
        ty = tf.cast(tf.round((draw(5) * 2 - 1) * _ADA_MAX_TRANSLATION * tf.cast(h, tf.float32)), tf.int32)
        tx = tf.cast(tf.round((draw(6) * 2 - 1) * _ADA_MAX_TRANSLATION * tf.cast(w, tf.float32)), tf.int32)
        ty, tx = tf.where(on, ty, 0), tf.where(on, tx, 0)
        images = _where(on, _translate(images, ty, tx, "reflect"), images)
        # Brightness: add N(0, 0.2).
        b = _per_sample(draw(8, "normal") * _ADA_BRIGHTNESS_STD, dtype)
        images = _where(apply(7), images + b, images)
        # Contrast: scale by 2 ** N(0, 0.5) (around 0, the grey of [-1, 1]).
        c = _per_sample(tf.pow(2.0, draw(10, "normal") * _ADA_CONTRAST_STD), dtype)
        images = _where(apply(9), images * c, images)
        # Saturation: scale the deviation from the grey (channel-mean) axis by 2 ** N(0, 1).
        s = _per_sample(tf.pow(2.0, draw(12, "normal") * _ADA_SATURATION_STD), dtype)
        mean = _channel_mean(images)
        images = _where(apply(11), mean + (images - mean) * s, images)
        return images

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "target": self.target,
                "interval": self.interval,
                "speed_kimg": self.speed_kimg,
                "initial_p": self.initial_p,
            }
        )
        return config
