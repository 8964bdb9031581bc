"""Scores with an explicit protocol: what ``kerasgan eval`` and the zoo cards report.

Every result records its protocol (feature network, resize mode, number of
generated samples, reference split and size, seed); reference statistics are
cached under ``$KERASGAN_HOME/stats`` keyed by that protocol.
"""

import difflib
import hashlib
import json
import os

import numpy as np

FEATURES = ("mnist", "inception", "emoji")
METRICS = ("fid", "kid", "pr", "dc", "is", "coverage", "classifier_score", "confident", "parzen",
           "conditional_accuracy", "class_coverage", "intra_fid")
#: Metrics that compare each sample with the label it was generated for.
_CONDITIONAL = {"conditional_accuracy", "class_coverage", "intra_fid"}
_NEEDS_REFERENCE_FEATURES = {"kid", "pr", "dc"}


class FeatureNet:
    """Images in [-1, 1] -> (features, class probabilities or None), with a protocol name."""

    def __init__(self, kind, resize="legacy_tf", batch_size=None):
        if kind not in FEATURES:
            raise ValueError(f"unknown feature network {kind!r}: choose one of {', '.join(FEATURES)}")
        self.kind = kind
        if kind == "mnist":
            from kerasgan.metrics.mnist_features import WEIGHTS_SHA256, MNISTClassifier

            self.net = MNISTClassifier(batch_size=batch_size or 500)
            self.protocol = {"features": "kerasgan_mnist_classifier_128", "weights_sha256": WEIGHTS_SHA256[:16], "resize": None}
        elif kind == "emoji":  # 64x64 colour emoji: the shipped emoji classifier's 128-d features (fast; no resize)
            from kerasgan.metrics.emoji_features import WEIGHTS_SHA256, EmojiClassifier

            self.net = EmojiClassifier(batch_size=batch_size or 250)
            self.protocol = {"features": "kerasgan_emoji_classifier_128", "weights_sha256": WEIGHTS_SHA256[:16], "resize": None}
        else:
            from kerasgan.metrics.inception import WEIGHTS_SHA256, InceptionFeatures

            self.net = InceptionFeatures(resize=resize, batch_size=batch_size or 50)
            self.protocol = {"features": "inception_2015_12_05_pool3", "weights_sha256": WEIGHTS_SHA256[:16], "resize": resize}

    def __call__(self, images, verbose=0, chunk=1000):
        """Features (and probabilities) in chunks, with a progress bar when verbose."""
        bar = None
        if verbose:
            import keras

            bar = keras.utils.Progbar(len(images), unit_name="image")
        feats, probs = [], []
        for start in range(0, len(images), chunk):
            part = images[start : start + chunk]
            if self.kind == "mnist":
                f, p = self.net.features_and_probabilities(part)
                probs.append(p)
            elif self.kind == "emoji":
                f = self.net.features(part)
            else:
                f = self.net(part, value_range=(-1, 1))
            feats.append(f)
            if bar is not None:
                bar.add(len(part))
        return np.concatenate(feats), (np.concatenate(probs) if probs else None)


def _reference_images(reference, limit=None, labels=False):
    from kerasgan import data

    source, _, split = reference.partition(":")
    return data.load_arrays(source, split=split or "train", limit=limit, labels=labels)


def reference_features(reference, net, limit=None):
    """Features of the reference set (not cached: KID and k-NN metrics need them all)."""
    feats, _ = net(_reference_images(reference, limit))
    return feats


def reference_statistics(reference, net, limit=None, features=None):
    """(mu, sigma, size) of the reference set's features, cached by protocol.

    ``features``: the reference set's features if the caller has them already
    (computed by ``reference_features`` with the same ``net`` and ``limit``);
    on a cache miss they are used instead of running ``net`` again.
    """
    from kerasgan.metrics.frechet import activation_statistics
    from kerasgan.zoo.registry import home

    key = json.dumps({"reference": reference, "limit": limit, **net.protocol}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    path = home() / "stats" / f"{digest}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as f:
            if str(f["key"]) == key:
                return f["mu"], f["sigma"], int(f["size"])
    feats = net(_reference_images(reference, limit))[0] if features is None else features
    mu, sigma = activation_statistics(feats)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    with open(tmp, "wb") as f:
        np.savez(f, mu=mu, sigma=sigma, size=len(feats), key=key)
    os.replace(tmp, path)
    return mu, sigma, len(feats)


def evaluate(
    images_or_gan, metrics=("fid",), num=10000, reference="mnist:test", features="mnist", seed=0, resize="legacy_tf", verbose=0,
    labels=None,
):
    """Scores generated images against a reference set.

    Args:
        images_or_gan: a GAN (``num`` samples drawn with ``seed``) or an array
            of images in [-1, 1].
        metrics: any of ``fid``, ``kid`` (Bińkowski 2018), ``pr`` (precision
            and recall, Kynkäänniemi 2019), ``dc`` (density and coverage,
            Naeem 2020), ``is`` / ``classifier_score`` (the Inception-Score
            formula on the MNIST classifier's probabilities), ``coverage``
            (classes covered and KL to uniform) and ``parzen`` (Parzen-window
            log-likelihood of the reference set in pixel space with [0, 1]
            pixels, sigma chosen on the last images of the reference
            source's train split, as in Goodfellow et al. 2014). ``is``, ``classifier_score`` and
            ``coverage`` need ``features="mnist"``; so does ``confident``
            (share of samples whose top class has probability > 0.9, and
            the share of each class). Conditional metrics compare each
            sample with the label it was generated for (``labels``):
            ``conditional_accuracy`` (share the MNIST classifier reads as
            that label), ``class_coverage`` (that share per class) and
            ``intra_fid`` (mean of per-class FIDs against the reference
            images of each class, Miyato & Koyama 2018).
        num: generated samples.
        reference: ``source:split`` of the reference set (e.g. ``mnist:test``).
        features: ``mnist`` (the shipped 28x28 classifier), ``inception``
            (the 2015-12-05 FID network) or ``emoji`` (the shipped 64x64
            emoji classifier's 128-d features: fast, but trained on drawing
            style and category, they measure style far more than image
            quality; Inception FID is the quality measure).
        seed: seed of the samples.
        resize: resize mode of the Inception network.
        verbose: show a progress bar while features are computed.
        labels: int labels ``(N,)``, the class each image of an image array
            was generated for (needed by the conditional metrics).

    Returns:
        dict with one entry per metric and ``protocol``.
    """
    from kerasgan.metrics.frechet import RunningStatistics, frechet_distance_from_stats
    from kerasgan.metrics.mnist_features import classifier_score, confident_share, mode_coverage

    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metrics:
        raise ValueError(f"no metrics given: choose from {', '.join(METRICS)}")
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        close = [c for m in unknown for c in difflib.get_close_matches(str(m), METRICS, n=1)]
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ValueError(f"unknown metrics {unknown}: {hint}choose from {', '.join(METRICS)}")
    if features != "mnist" and set(metrics) & {"coverage", "classifier_score", "is", "confident"}:
        raise ValueError("is, coverage, confident and classifier_score need features='mnist' (they use its class probabilities)")
    if features != "mnist" and set(metrics) & {"conditional_accuracy", "class_coverage"}:
        raise ValueError("conditional_accuracy and class_coverage need features='mnist' (they use its class probabilities)")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ValueError(f"num must be an integer >= 2, got {num!r}")
    conditional = set(metrics) & _CONDITIONAL
    class_count = getattr(images_or_gan, "num_classes", None) if hasattr(images_or_gan, "sample") else None
    if class_count is not None:
        # A conditional GAN draws every class in turn (balanced, deterministic).
        if labels is not None:
            raise ValueError("labels= is for image arrays: a conditional GAN is sampled with every class in turn")
        labels = np.arange(int(num)) % int(class_count)
    elif labels is not None or conditional:
        from kerasgan.metrics.conditional import _labels

        if hasattr(images_or_gan, "sample"):
            raise ValueError(
                f"{', '.join(sorted(conditional)) or 'labels'}: this GAN generates without labels, so there is "
                f"nothing to compare a sample's class with; pass an image array with labels=... instead"
            )
        if labels is None:
            raise ValueError(
                f"{', '.join(sorted(conditional))} need the label each image was generated for: pass labels=... (one per image)"
            )
        labels = _labels(labels, "labels")
        count = len(np.asarray(images_or_gan))
        if len(labels) != count:
            raise ValueError(f"got {len(labels)} labels for {count} images: give one label per image")
        labels = labels[:num]
    if not isinstance(reference, str):
        raise TypeError(f"reference must be a 'source:split' string such as 'mnist:test', got {type(reference).__name__}")
    if not reference.partition(":")[0]:
        raise ValueError(f"reference must be a 'source:split' string such as 'mnist:test', got {reference!r}")
    net = FeatureNet(features, resize=resize)
    num = int(num)
    if hasattr(images_or_gan, "iter_samples"):
        # Generated chunk by chunk: memory does not grow with num for FID and
        # coverage (running statistics, one label per sample).
        kwargs = {} if class_count is None else {"labels": labels}
        batches = images_or_gan.iter_samples(num, seed=seed, batch_size=1000, **kwargs)
        source = "generator" if class_count is None else "conditional generator, classes in turn"
    elif hasattr(images_or_gan, "sample"):
        kwargs = {} if class_count is None else {"labels": labels}
        batches = iter([images_or_gan.sample(num, seed=seed, **kwargs)])
        source = "generator"
    else:
        images = np.asarray(images_or_gan)[:num]
        batches = (images[i : i + 1000] for i in range(0, len(images), 1000))
        source = "images"
    keep_features = bool(set(metrics) & _NEEDS_REFERENCE_FEATURES)
    keep_probs = bool(set(metrics) & {"classifier_score", "is", "confident"})
    keep_images = "parzen" in metrics
    running = RunningStatistics()
    kept_feats, kept_probs, kept_images, predicted = [], [], [], []
    by_class = None
    if "intra_fid" in metrics:
        from kerasgan.metrics.conditional import ClassStatistics

        by_class = ClassStatistics()
    bar = None
    if verbose:
        import keras

        bar = keras.utils.Progbar(num, unit_name="image")
    generated = 0
    for batch in batches:
        feats, probs = net(batch)
        generated += len(batch)
        running.update(feats)
        if by_class is not None:
            by_class.update(feats, labels[generated - len(batch) : generated])
        if keep_features:
            kept_feats.append(feats)
        if probs is not None:
            predicted.append(np.argmax(probs, axis=-1).astype("int64"))
            if keep_probs:
                kept_probs.append(probs)
        if keep_images:
            kept_images.append(np.asarray(batch))
        if bar is not None:
            bar.add(len(batch))
    feats = np.concatenate(kept_feats) if keep_features else None
    probs = np.concatenate(kept_probs) if keep_probs else None
    if keep_images:
        images = np.concatenate(kept_images)
    result = {}
    protocol = {**net.protocol, "num_generated": generated, "seed": seed, "samples": source}
    # KID and the k-NN metrics need every reference feature; FID then reuses them.
    real = reference_features(reference, net) if keep_features else None
    if "fid" in metrics:
        mu_r, sigma_r, size = reference_statistics(reference, net, features=real)
        mu_g, sigma_g = running.result()
        result["fid"] = frechet_distance_from_stats(mu_g, sigma_g, mu_r, sigma_r)
        protocol.update(reference=reference, reference_size=size)
    if set(metrics) & _NEEDS_REFERENCE_FEATURES:
        from kerasgan.metrics.kid import kernel_distance
        from kerasgan.metrics.precision_recall import density_coverage, precision_recall

        protocol.update(reference=reference, reference_size=len(real))
        if "kid" in metrics:
            mean, std = kernel_distance(feats, real, subsets=100, subset_size=1000, seed=seed)
            result["kid"] = {"mean": mean, "std": std}
        if "pr" in metrics:
            result["pr"] = precision_recall(real, feats, k=3)
        if "dc" in metrics:
            result["dc"] = density_coverage(real, feats, k=5)
    if "coverage" in metrics:
        result["coverage"] = mode_coverage(np.concatenate(predicted))
    if set(metrics) & {"conditional_accuracy", "class_coverage"}:
        from kerasgan.metrics.conditional import class_coverage, conditional_accuracy

        read = np.concatenate(predicted)
        if "conditional_accuracy" in metrics:
            result["conditional_accuracy"] = conditional_accuracy(read, labels)
        if "class_coverage" in metrics:
            result["class_coverage"] = [None if np.isnan(v) else float(v) for v in class_coverage(read, labels, 10)]
    if by_class is not None:
        from kerasgan.metrics.conditional import ClassStatistics, intra_class_fid

        real_images, real_labels = _reference_images(reference, labels=True)
        real_stats = ClassStatistics()
        for start in range(0, len(real_images), 1000):
            real_stats.update(net(real_images[start : start + 1000])[0], real_labels[start : start + 1000])
        result["intra_fid"] = intra_class_fid(real_stats, by_class)
        protocol.update(reference=reference, reference_per_class=real_stats.counts(), generated_per_class=by_class.counts())
    if "confident" in metrics:
        result["confident"] = confident_share(probs)
    for name in ("classifier_score", "is"):
        if name in metrics:
            mean, std = classifier_score(probs)
            result[name] = {"mean": float(mean), "std": float(std)}
    if "parzen" in metrics:
        from kerasgan.metrics.parzen import parzen_log_likelihood

        source, _, split = reference.partition(":")
        if split in ("", "train"):
            raise ValueError("parzen needs a held-out reference split (e.g. mnist:test); sigma is chosen on train")
        to01 = lambda x: (np.asarray(x, "float64").reshape(len(x), -1) + 1.0) / 2.0  # noqa: E731
        test = _reference_images(reference)
        validation = _reference_images(f"{source}:train")[-len(test):]
        result["parzen"] = parzen_log_likelihood(to01(images), to01(test), validation=to01(validation))
        protocol.update(reference=reference, parzen=f"pixels in [0, 1]; sigma chosen on the last {len(test)} {source} train images")
    result["protocol"] = protocol
    return result


TRANSLATION_METRICS = ("l1", "psnr", "ssim", "fid", "kid", "style_accuracy")
#: What ``evaluate_translation`` and ``kerasgan eval`` score when no metrics are named
#: (``style_accuracy`` only applies to 64x64 colour emoji styles: ask for it).
DEFAULT_TRANSLATION_METRICS = ("l1", "psnr", "ssim", "fid", "kid")
BASELINES = ("copy",)


def evaluate_translation(model, metrics=DEFAULT_TRANSLATION_METRICS, split="test", source=None, target=None, baseline=None,
                         resize="legacy_tf", seed=0):
    """Scores an image -> image model against the true drawings of the paired emoji styles.

    Args:
        model: a translation model (``translate``) built with ``styles``, or
            None with ``baseline``.
        metrics: any of ``l1``, ``psnr``, ``ssim`` (``kerasgan.metrics.paired``),
            ``fid`` and ``kid`` (Inception features of the outputs against
            those of the true targets of the same split; with a few hundred
            test images FID is biased upwards, KID is not) and
            ``style_accuracy`` (share of outputs the shipped emoji
            classifier's style head reads as the target style: StarGAN's
            domain-classification accuracy; 64x64 colour outputs).
        split: ``"test"`` (default: the held-out code points) or ``"train"``.
        source, target: style names; default the model's ``styles``.
        baseline: ``"copy"`` scores the source images themselves as the
            output (what a model must beat).
        seed: seeds Keras's random state before translating (test-time
            dropout of pix2pix draws from it).

    Returns:
        dict with one entry per metric (``kid`` as ``(mean, std)``) and ``protocol``.
    """
    import keras

    from kerasgan import data

    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in metrics if m not in TRANSLATION_METRICS]
    if unknown or not metrics:
        raise ValueError(f"unknown translation metrics {unknown}: choose from {', '.join(TRANSLATION_METRICS)}")
    if baseline is not None and baseline not in BASELINES:
        raise ValueError(f"unknown baseline {baseline!r}: choose one of {', '.join(BASELINES)}")
    styles = getattr(model, "styles", None) or ()
    if model is not None and not hasattr(model, "translate"):
        raise TypeError(f"{type(model).__name__} does not translate images: use evaluate() for latent models")
    if getattr(model, "num_domains", None) is None and len(styles) == 2:
        source, target = source or styles[0], target or styles[1]
    if source is None or target is None:
        raise ValueError("name the styles: source= and target= (--from and --to): the model has several directions or no style names")
    x, y, _ = data.load_pair_arrays(source, target, split)
    if baseline == "copy":
        out = x
    elif model is None:
        raise ValueError("give a model, or baseline='copy'")
    else:
        keras.utils.set_random_seed(int(seed))
        out = model.translate(x, target=target)
    if out.shape[-1] != y.shape[-1]:
        out = np.repeat(out, y.shape[-1], axis=-1) if out.shape[-1] == 1 else out
    result = _compare_with_targets(out, y, metrics, resize, seed)
    if "style_accuracy" in metrics:
        result["style_accuracy"] = style_accuracy(out, target)
    result["protocol"] = {
        "task": f"{source} -> {target}", "split": split, "num": int(len(x)), "seed": int(seed),
        "output": f"baseline: {baseline}" if baseline else type(model).__name__,
        "features": "inception_2015_12_05_pool3" if {"fid", "kid"} & set(metrics) else None, "resize": resize,
    }
    return result


def translation_table(model, metrics=("l1", "fid", "style_accuracy"), styles=None, split="test", baseline=None, seed=0):
    """``evaluate_translation`` over every direction between ``styles`` (a multi-domain model such as StarGAN).

    Args:
        model: a translation model with ``styles`` (or None with ``baseline="copy"``).
        styles: the styles to translate between (default the model's).

    Returns:
        ``{"table": {metric: {source: {target: value}}}, "protocol": {...}}``;
        source == target is skipped.
    """
    styles = tuple(styles or getattr(model, "styles", None) or ())
    if len(styles) < 2:
        raise ValueError("translation_table needs two or more styles: pass styles=[...] or a model built with styles")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    table = {m: {s: {} for s in styles} for m in metrics}
    protocol = None
    for source in styles:
        for target in styles:
            if source == target:
                continue
            result = evaluate_translation(model, metrics, split=split, source=source, target=target, baseline=baseline, seed=seed)
            protocol = protocol or {k: v for k, v in result["protocol"].items() if k != "task"}
            for m in metrics:
                table[m][source][target] = result[m]
    return {"table": table, "protocol": {**protocol, "styles": list(styles)}}


def style_accuracy(images, style):
    """Share of ``images`` the shipped emoji classifier's style head reads as ``style`` (an ``EMOJI_STYLES`` name)."""
    from kerasgan.data import EMOJI_STYLES
    from kerasgan.metrics.emoji_features import EmojiClassifier

    if style not in EMOJI_STYLES:
        raise ValueError(f"style_accuracy reads the emoji styles {', '.join(EMOJI_STYLES)}; got target {style!r}")
    predicted = np.argmax(EmojiClassifier().style_probabilities(images), axis=1)  # checks shape, dtype and range
    return float(np.mean(predicted == EMOJI_STYLES.index(style)))


def _compare_with_targets(out, targets, metrics, resize, seed):
    """Paired scores (l1, psnr, ssim) and Inception FID/KID of outputs against their true targets."""
    from kerasgan.metrics.frechet import frechet_distance
    from kerasgan.metrics.kid import kernel_distance
    from kerasgan.metrics.paired import paired_scores

    result = {}
    paired = [m for m in metrics if m in ("l1", "psnr", "ssim")]
    if paired:
        scores = paired_scores(out, targets)
        result.update({m: scores[m] for m in paired})
    if {"fid", "kid"} & set(metrics):
        net = FeatureNet("inception", resize=resize)
        fake, _ = net(out)
        real, _ = net(targets)
        if "fid" in metrics:
            result["fid"] = float(frechet_distance(fake, real))
        if "kid" in metrics:
            result["kid"] = kernel_distance(fake, real, subset_size=min(len(fake), 1000), seed=seed)
    return result


def _metric_list(metrics, known, what):
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in metrics if m not in known]
    if unknown or not metrics:
        close = [c for m in unknown for c in difflib.get_close_matches(str(m), known, n=1)]
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ValueError(f"unknown {what} metrics {unknown or metrics}: {hint}choose from {', '.join(known)}")
    return metrics


SUPER_RESOLUTION_METRICS = ("psnr", "ssim", "fid", "kid")


def evaluate_super_resolution(model, metrics=SUPER_RESOLUTION_METRICS, split="test", baseline=None, styles=None, scale=None,
                              resize="legacy_tf", seed=0):
    """Scores a super-resolution model (``upscale``) on the emoji drawings of ``split``.

    The low-resolution inputs are ``kerasgan.data.downscale`` of the 64x64
    drawings (bicubic with antialiasing); outputs are compared with the
    originals: PSNR and SSIM (``kerasgan.metrics.paired``), Inception FID and
    KID of the outputs against the originals (with a few hundred test images
    FID is biased upwards; KID is not).

    Args:
        model: an SRGAN (or any model with ``upscale`` and ``scale``), or None with ``baseline``.
        baseline: ``"bicubic"`` scores plain bicubic upscaling instead of the model (what it must beat).
        styles: emoji styles to score on; default the model's, else the colour styles.
        scale: default the model's (else 4); must match the model's.

    Returns:
        dict with one entry per metric (``kid`` as ``(mean, std)``) and ``protocol``.
    """
    from kerasgan import data

    metrics = _metric_list(metrics, SUPER_RESOLUTION_METRICS, "super-resolution")
    if baseline not in (None, "bicubic"):
        raise ValueError(f"unknown baseline {baseline!r}: the super-resolution baseline is 'bicubic'")
    if model is not None and not hasattr(model, "upscale"):
        raise TypeError(f"{type(model).__name__} does not upscale images: use evaluate() or evaluate_translation()")
    if model is None and baseline is None:
        raise ValueError("give a model, or baseline='bicubic'")
    model_scale = getattr(model, "scale", None)
    scale = int(scale or model_scale or 4)
    if model_scale is not None and scale != model_scale:
        raise ValueError(f"the model upscales by {model_scale}, not {scale}: drop scale= or pass scale={model_scale}")
    styles = tuple(styles or getattr(model, "styles", None) or data.EMOJI_COLOUR_STYLES)
    low, high, _ = data.load_super_resolution_arrays(styles, scale, split)
    out = data.upscale_bicubic(low, scale) if baseline == "bicubic" else model.upscale(low)
    result = _compare_with_targets(out, high, metrics, resize, seed)
    result["protocol"] = {
        "task": f"x{scale} super-resolution of {', '.join(styles)} (inputs: bicubic antialiased downscale)", "split": split,
        "num": int(len(low)), "output": f"baseline: {baseline}" if baseline else type(model).__name__,
        "features": "inception_2015_12_05_pool3" if {"fid", "kid"} & set(metrics) else None, "resize": resize, "seed": int(seed),
    }
    return result


STYLE_METRICS = ("style_entropy", "novelty")


def evaluate_styles(gan, metrics=STYLE_METRICS, num=1000, seed=0, styles=None):
    """How a 64x64 emoji generator's samples sit among the known drawing styles (CAN's card; any latent model).

    Both scores use the shipped emoji classifier (``kerasgan.metrics.emoji_features``):

    * ``style_entropy``: its style head on ``num`` samples, restricted to
      ``styles`` and renormalised: mean entropy, the same as a share of
      ``log K`` (``kerasgan.metrics.creativity.prediction_entropy``), and the
      style histogram; beside it ``style_entropy_real``, the same on the
      held-out real drawings of those styles.
    * ``novelty``: nearest-neighbour distances of the samples' 128-d features
      to the train-split drawings of ``styles``, in units of the held-out
      drawings' distances (``kerasgan.metrics.creativity.novelty``).

    Args:
        styles: the styles the model was trained on: default its
            ``style_names`` (CAN), else all four ``EMOJI_STYLES``.
    """
    from kerasgan import data
    from kerasgan.metrics.creativity import novelty, prediction_entropy
    from kerasgan.metrics.emoji_features import IMAGE_SHAPE, STYLE_HEAD, EmojiClassifier

    metrics = _metric_list(metrics, STYLE_METRICS, "style")
    if not hasattr(gan, "sample") or getattr(gan, "conditional", False):
        raise TypeError(f"{type(gan).__name__} is not an unconditional latent model: style scores need gan.sample(num)")
    if tuple(gan.image_shape) != IMAGE_SHAPE:
        raise ValueError(f"style scores judge 64x64 colour emoji; this model makes {tuple(gan.image_shape)} images")
    styles = list(styles or getattr(gan, "style_names", None) or data.EMOJI_STYLES)
    unknown = [s for s in styles if s not in data.EMOJI_STYLES]
    if unknown:
        raise ValueError(f"unknown emoji styles {unknown}: the classifier knows {', '.join(data.EMOJI_STYLES)}")
    columns = [data.EMOJI_STYLES.index(s) for s in styles]
    classifier = EmojiClassifier()
    fake = classifier.outputs(gan.sample(int(num), seed=seed))
    train_arrays, _ = data._style_arrays(tuple(styles), "train", "style scores")
    test_arrays, _ = data._style_arrays(tuple(styles), "test", "style scores")
    real = classifier.outputs(np.concatenate(test_arrays))

    def entropy(probs):
        probs = probs[:, columns]
        return prediction_entropy(probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12))

    result = {}
    if "style_entropy" in metrics:
        result["style_entropy"] = entropy(fake[STYLE_HEAD])
        result["style_entropy_real"] = entropy(real[STYLE_HEAD])
    if "novelty" in metrics:
        train = classifier.features(np.concatenate(train_arrays))
        result["novelty"] = novelty(fake["features"], train, real["features"])
    result["protocol"] = {
        "num_generated": int(num), "seed": int(seed), "styles": styles, "classifier": "kerasgan emoji classifier (features, style head)",
        "training_images": int(sum(len(a) for a in train_arrays)), "heldout_images": int(sum(len(a) for a in test_arrays)),
    }
    return result


TEXT_METRICS = ("category_agreement", "retrieval")


def evaluate_text(model, metrics=TEXT_METRICS, split="test", seed=0, field="name", candidates=100):
    """Does a text -> image model draw what its captions say? Scored on the emoji captions of ``split``.

    One image per emoji, drawn from its ``field`` caption (``name``,
    ``annotation`` or ``tags``), with ``seed``:

    * ``category_agreement``: share of images whose Unicode category, as the
      shipped emoji classifier reads it, is the caption's emoji's;
    * ``retrieval``: R-precision (``kerasgan.metrics.retrieval.r_precision``):
      the image's own caption beats ``candidates - 1`` other emoji's captions
      in the model's joint embedding.

    Each comes with ``..._real``: the same score of the real drawings (the
    model's styles) of the same emoji, the ceiling the judges allow.
    """
    from kerasgan import data
    from kerasgan.metrics.conditional import conditional_accuracy
    from kerasgan.metrics.emoji_features import CATEGORY_HEAD, EmojiClassifier
    from kerasgan.metrics.retrieval import r_precision

    metrics = _metric_list(metrics, TEXT_METRICS, "text -> image")
    if not hasattr(model, "embed_text"):
        raise TypeError(f"{type(model).__name__} does not draw from text: text scores need a text -> image model")
    if field not in data.EMOJI_CAPTION_FIELDS:
        raise ValueError(f"unknown caption field {field!r}: choose one of {', '.join(data.EMOJI_CAPTION_FIELDS)}")
    _, captions = data.emoji_captions(split)
    texts = [c[data.EMOJI_CAPTION_FIELDS.index(field)] for c in captions]
    # Held-out captions may use words the vocabulary lacks: unknown words are
    # dropped, and emoji whose caption keeps no known word are left out (counted in the protocol).
    tokens = model.vocabulary.encode(texts, strict=False)
    keep = np.flatnonzero(tokens.max(axis=1) > 0)
    tokens, texts = tokens[keep], [texts[i] for i in keep]
    categories = data.emoji_categories(split)[keep]
    styles = tuple(getattr(model, "styles", None) or data.EMOJI_COLOUR_STYLES)
    arrays, _ = data._style_arrays(styles, split, "text scores")
    arrays = [a[keep] for a in arrays]
    real = data.from_uint8(np.concatenate(arrays))
    fake = model.sample(len(texts), seed=seed, labels=tokens)
    count = min(int(candidates), len(texts))
    classifier = EmojiClassifier() if "category_agreement" in metrics else None
    text_embeddings = model.embed_text(tokens) if "retrieval" in metrics else None
    result = {}
    for key, images, repeat in (("", fake, 1), ("_real", real, len(arrays))):
        if "category_agreement" in metrics:
            result["category_agreement" + key] = conditional_accuracy(classifier.category_probabilities(images), np.tile(categories, repeat))
        if "retrieval" in metrics:
            result["retrieval" + key] = r_precision(model.embed_images(images), np.tile(text_embeddings, (repeat, 1)),
                                                    items=np.tile(np.arange(len(texts)), repeat), candidates=count, seed=seed)
    result["protocol"] = {
        "split": split, "captions": f"the {field} of each of the {len(texts)} emoji with a known word", "seed": int(seed),
        "candidates": count, "left_out": int(len(captions) - len(texts)),
        "real": f"{len(real)} drawings ({', '.join(styles)})", "chance": {"retrieval": 1.0 / count},
    }
    return result


REPRESENTATION_METRICS = ("knn", "linear_probe", "test_error", "code_accuracy", "cluster_error")


def cluster_labels(cluster_probabilities, labels):
    """The label of each cluster: that of the image with the highest probability of the cluster
    (Makhzani et al. 2015, section 6). ``cluster_probabilities``: (N, K); returns (K,) int."""
    probs, labels = np.asarray(cluster_probabilities), np.asarray(labels)
    if probs.ndim != 2 or len(probs) != len(labels) or not len(labels):
        raise ValueError(f"cluster probabilities must be (N, K) with one label per row, got {probs.shape} and {labels.shape}")
    return labels[np.argmax(probs, axis=0)].astype("int64")


def evaluate_representation(model, metrics, source="mnist", num=10000, train_limit=None, seed=0):
    """What a model learned beyond sampling, on a labelled source's train/test splits.

    Args:
        model: a model that encodes (``encode``: BiGAN, AAE), classifies
            (``classify``: semi-supervised GAN, ACGAN) or has a categorical
            code (InfoGAN).
        metrics: any of ``knn`` (1-NN accuracy of test codes against train
            codes, Donahue et al. 2016), ``linear_probe`` (logistic regression
            on frozen codes), ``test_error`` (misclassified test images and
            the error rate, Salimans et al. 2016) and ``code_accuracy``
            (InfoGAN: ``num`` samples drawn with each value of the first
            categorical code in turn, read by the shipped MNIST classifier;
            accuracy after the best one-to-one matching of code values to
            digits, Chen et al. 2016 section 7.1) and ``cluster_error``
            (an adversarial autoencoder with the categorical prior: each
            cluster takes the label of the training image the encoder puts in
            it most confidently, then the test error of the clusters' labels,
            Makhzani et al. 2015 section 6).
        source: a labelled source with train and test splits (``mnist``).
        train_limit: use only the first N train images for ``knn``/``linear_probe``.

    Returns:
        dict with one entry per metric and ``protocol``.
    """
    from kerasgan import data
    from kerasgan.metrics.representation import cluster_accuracy, linear_probe_accuracy, nearest_neighbour_accuracy

    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in metrics if m not in REPRESENTATION_METRICS]
    if unknown or not metrics:
        raise ValueError(f"unknown representation metrics {unknown}: choose from {', '.join(REPRESENTATION_METRICS)}")
    needs = {"knn": "encode", "linear_probe": "encode", "test_error": "classify", "code_accuracy": "categorical",
             "cluster_error": "num_clusters"}
    for m in metrics:
        if not getattr(model, needs[m], None):
            raise ValueError(f"{m} needs a model with {needs[m]} ({type(model).__name__} has none)")
    result, protocol = {}, {"source": source, "seed": int(seed)}
    if {"knn", "linear_probe", "test_error", "cluster_error"} & set(metrics):
        test_x, test_y = data.load_arrays(source, split="test", labels=True)
        protocol["test_images"] = int(len(test_x))
    if {"knn", "linear_probe", "cluster_error"} & set(metrics):
        train_x, train_y = data.load_arrays(source, split="train", labels=True)
        if train_limit:
            train_x, train_y = train_x[: int(train_limit)], train_y[: int(train_limit)]
        protocol["train_images"] = int(len(train_x))
        train_codes, test_codes = model.encode(train_x), model.encode(test_x)
        if "cluster_error" in metrics:
            k = int(model.num_clusters)
            labels = cluster_labels(train_codes[:, :k], train_y)
            predicted = labels[np.argmax(test_codes[:, :k], axis=1)]
            errors = int(np.sum(predicted != np.asarray(test_y)))
            used = np.unique(np.argmax(test_codes[:, :k], axis=1))
            result["cluster_error"] = {"errors": errors, "rate": errors / len(test_y), "clusters_used": int(len(used)),
                                       "labels": [int(v) for v in labels]}
        if "knn" in metrics:
            result["knn"] = nearest_neighbour_accuracy(train_codes, train_y, test_codes, test_y, k=1)
        if "linear_probe" in metrics:
            result["linear_probe"] = linear_probe_accuracy(train_codes, train_y, test_codes, test_y)
    if "test_error" in metrics:
        predicted = np.argmax(model.classify(test_x), axis=1)
        errors = int(np.sum(predicted != np.asarray(test_y)))
        result["test_error"] = {"errors": errors, "rate": errors / len(test_y)}
    if "code_accuracy" in metrics:
        from kerasgan.metrics.mnist_features import MNISTClassifier

        values = int(model.categorical[0])
        codes = np.arange(int(num)) % values
        images = np.concatenate([model.sample(int(np.sum(codes == k)), seed=seed + k, codes={"cat0": k}) for k in range(values)])
        codes = np.repeat(np.arange(values), [int(np.sum(codes == k)) for k in range(values)])
        digits = np.argmax(MNISTClassifier().features_and_probabilities(images)[1], axis=1)
        accuracy, mapping = cluster_accuracy(codes, digits, num_classes=10)
        result["code_accuracy"] = {"accuracy": accuracy, "mapping": {str(k): v for k, v in mapping.items()}}
        protocol["samples"] = int(num)
    result["protocol"] = protocol
    return result
