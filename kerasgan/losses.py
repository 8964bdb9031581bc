"""GAN losses: pure functions of discriminator outputs.

Names, conventions and defaults follow TF-GAN's ``losses_impl`` so results
compare one to one. Each function returns a float32 scalar reduced with
``tf.nn.compute_average_loss``: the batch mean on one device, and under a
``tf.distribute`` strategy each replica's share of the mean over the
*global* batch, so that the summed replica gradients equal the gradient of
the single-device loss.
"""

import difflib

import keras
import tensorflow as tf


def _flat(x):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return tf.reshape(x, [-1])


def _mean(per_example, global_batch_size):
    return tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)


def _bce(logits, target):
    # Binary cross-entropy with a constant target, from logits, stable.
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), target), logits=logits)


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.25, global_batch_size=None):
    """Discriminator loss of the original minimax game.

    ``E[-log D(x)] + E[-log(1 - D(G(z)))]`` with one-sided label smoothing
    on the real targets, TF-GAN semantics: the real target is
    ``1 - label_smoothing / 2`` (as ``tf.losses.sigmoid_cross_entropy``),
    the fake target stays 0.

    Args:
        real_logits: D's logits on real images, shape (N,) or (N, 1).
        fake_logits: D's logits on generated images.
        label_smoothing: one-sided smoothing amount in [0, 1).
        global_batch_size: batch size over all replicas (default: inferred).

    Returns:
        float32 scalar.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, eq. 1;
        Salimans et al., "Improved Techniques for Training GANs", 2016 (smoothing).
    """
    real, fake = _flat(real_logits), _flat(fake_logits)
    on_real = _bce(real, 1.0 - 0.5 * float(label_smoothing))
    on_fake = _bce(fake, 0.0)
    return _mean(on_real, global_batch_size) + _mean(on_fake, global_batch_size)


def minimax_generator_loss(fake_logits, global_batch_size=None):
    """The saturating generator loss ``E[log(1 - D(G(z)))]`` (= -E softplus(logit)).

    TF-GAN's function of the same name computes the negated discriminator
    loss with a constant real term, which adds ``-softplus(-1)``; the
    gradients are identical.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, eq. 1.
    """
    return _mean(-tf.nn.softplus(_flat(fake_logits)), global_batch_size)


def modified_generator_loss(fake_logits, label_smoothing=0.0, global_batch_size=None):
    """The non-saturating generator loss ``E[-log D(G(z))]``.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, section 3.
    """
    return _mean(_bce(_flat(fake_logits), 1.0 - 0.5 * float(label_smoothing)), global_batch_size)


def maximum_likelihood_generator_loss(fake_logits, global_batch_size=None):
    """``-1/2 E[exp(sigma^-1(D(G(z))))]`` = ``-1/2 E[exp(logit)]``.

    With an optimal discriminator its gradient equals that of the maximum
    likelihood objective.

    Reference:
        Goodfellow, "NIPS 2016 Tutorial: Generative Adversarial Networks",
        arXiv:1701.00160, eq. 15.
    """
    return _mean(-0.5 * tf.exp(_flat(fake_logits)), global_batch_size)


def wasserstein_discriminator_loss(real_scores, fake_scores, global_batch_size=None):
    """Critic loss ``E[D(G(z))] - E[D(x)]``.

    Reference:
        Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017.
    """
    return _mean(_flat(fake_scores), global_batch_size) - _mean(_flat(real_scores), global_batch_size)


def wasserstein_generator_loss(fake_scores, global_batch_size=None):
    """Generator loss ``-E[D(G(z))]``.

    Reference:
        Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017.
    """
    return _mean(-_flat(fake_scores), global_batch_size)


def least_squares_discriminator_loss(real_scores, fake_scores, real_label=1.0, fake_label=0.0, global_batch_size=None):
    """``1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]`` with a = fake_label, b = real_label.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017, eq. 2.
    """
    on_real = 0.5 * tf.square(_flat(real_scores) - real_label)
    on_fake = 0.5 * tf.square(_flat(fake_scores) - fake_label)
    return _mean(on_real, global_batch_size) + _mean(on_fake, global_batch_size)


def least_squares_generator_loss(fake_scores, real_label=1.0, global_batch_size=None):
    """``1/2 E[(D(G(z)) - c)^2]`` with c = real_label.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017, eq. 2.
    """
    return _mean(0.5 * tf.square(_flat(fake_scores) - real_label), global_batch_size)


def auxiliary_classifier_loss(class_logits, labels, global_batch_size=None):
    """Cross-entropy ``E[-log P(C = c | X)]`` of an auxiliary class head (Odena et al. 2017, L_C).

    Args:
        class_logits: (N, classes) logits of the class head.
        labels: (N,) int class indices the images belong to (real) or were
            generated for (fake).

    Reference:
        Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary
        Classifier GANs", ICML 2017, eq. 2.
    """
    logits = tf.cast(tf.convert_to_tensor(class_logits), tf.float32)
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return _mean(per_example, global_batch_size)


def style_ambiguity_loss(style_logits, form="cross_entropy", global_batch_size=None):
    """CAN's style-ambiguity term for the generator (Elgammal et al. 2017, eq. 3).

    With p = softmax(style_logits) over K known styles:

    * ``form="cross_entropy"``: the cross-entropy from the uniform
      distribution to p, ``-(1/K) sum_k log p_k`` (minimal, = log K, when
      D cannot tell which style a sample belongs to);
    * ``form="binary"``: the paper's eq. 3 as written, K binary
      cross-entropies against 1/K,
      ``-sum_k [(1/K) log p_k + (1 - 1/K) log(1 - p_k)]``.

    Both are computed from logits without forming p (stable for confident heads).

    Args:
        style_logits: (N, K) logits of D's style head on generated images.

    Reference:
        Elgammal, Liu, Elhoseiny & Mazzone, "CAN: Creative Adversarial
        Networks, Generating 'Art' by Learning About Styles and Deviating from
        Style Norms", ICCC 2017 (arXiv:1706.07068), eq. 3.
    """
    logits = tf.cast(tf.convert_to_tensor(style_logits), tf.float32)
    if logits.shape.rank != 2 or (logits.shape[-1] is not None and logits.shape[-1] < 2):
        raise ValueError(f"style_logits must be (batch, K >= 2) logits, got shape {tuple(logits.shape)}")
    k = tf.cast(tf.shape(logits)[-1], tf.float32)
    log_p = tf.nn.log_softmax(logits, axis=-1)
    if form == "cross_entropy":
        per_example = -tf.reduce_mean(log_p, axis=-1)
    elif form == "binary":
        # log(1 - p_k) = logsumexp over the other logits - logsumexp over all.
        others = tf.where(tf.eye(tf.shape(logits)[-1], dtype=tf.bool)[None], -float("inf"), logits[:, None, :])
        log_not_p = tf.reduce_logsumexp(others, axis=-1) - tf.reduce_logsumexp(logits, axis=-1, keepdims=True)
        per_example = -tf.reduce_sum(log_p / k + (1.0 - 1.0 / k) * log_not_p, axis=-1)
    else:
        raise ValueError(f"form must be 'cross_entropy' or 'binary', got {form!r}")
    return _mean(per_example, global_batch_size)


def hinge_discriminator_loss(real_scores, fake_scores, global_batch_size=None):
    """``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`` (TF-GAN's wasserstein_hinge).

    Reference:
        Lim & Ye, "Geometric GAN", 2017; Miyato et al., "Spectral
        Normalization for Generative Adversarial Networks", ICLR 2018.
    """
    on_real = tf.nn.relu(1.0 - _flat(real_scores))
    on_fake = tf.nn.relu(1.0 + _flat(fake_scores))
    return _mean(on_real, global_batch_size) + _mean(on_fake, global_batch_size)


def hinge_generator_loss(fake_scores, global_batch_size=None):
    """``-E[D(G(z))]``, the generator side of the hinge loss.

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """
    return _mean(-_flat(fake_scores), global_batch_size)


LOSS_PAIRS = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "modified": (minimax_discriminator_loss, modified_generator_loss),
    "non_saturating": (minimax_discriminator_loss, modified_generator_loss),
    "maximum_likelihood": (minimax_discriminator_loss, maximum_likelihood_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
}

_BY_NAME = {fn.__name__: fn for pair in LOSS_PAIRS.values() for fn in pair}
_PROBABILISTIC = {
    minimax_discriminator_loss,
    minimax_generator_loss,
    modified_generator_loss,
    maximum_likelihood_generator_loss,
}


def get(identifier, kind):
    """Returns a loss function.

    Args:
        identifier: a short pair name (``"modified"``), a full function name
            (``"modified_generator_loss"``) or a callable (returned as is).
        kind: ``"discriminator"`` or ``"generator"``.
    """
    if kind not in ("discriminator", "generator"):
        raise ValueError(f"kind must be 'discriminator' or 'generator', got {kind!r}")
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        if identifier in LOSS_PAIRS:
            return LOSS_PAIRS[identifier][0 if kind == "discriminator" else 1]
        if identifier in _BY_NAME and identifier.endswith(f"_{kind}_loss"):
            return _BY_NAME[identifier]
    valid = sorted(LOSS_PAIRS) + sorted(n for n in _BY_NAME if n.endswith(f"_{kind}_loss"))
    close = difflib.get_close_matches(str(identifier), valid, n=2)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ValueError(f"unknown {kind} loss {identifier!r}: {hint}choose one of {', '.join(sorted(LOSS_PAIRS))}")


def serialize(fn):
    """The full function name for built-ins, otherwise Keras' serialization."""
    if getattr(fn, "__name__", None) in _BY_NAME and _BY_NAME[fn.__name__] is fn:
        return fn.__name__
    return keras.saving.serialize_keras_object(fn)


def deserialize(config):
    """Inverse of ``serialize``."""
    if isinstance(config, str) and config in _BY_NAME:
        return _BY_NAME[config]
    return keras.saving.deserialize_keras_object(config)


def outputs_are_probabilities(fn):
    """True when ``fn`` treats D's outputs as logits of a probability."""
    return fn in _PROBABILISTIC
