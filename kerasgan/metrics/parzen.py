"""Gaussian Parzen-window log-likelihood, as in Goodfellow et al. 2014, Table 1."""

import numpy as np

from kerasgan.metrics._checks import features_2d, same_dims


def parzen_log_likelihoods(samples, test, sigmas, batch_size=1000, sample_batch=2500):
    """Log-likelihood of every test row under a Parzen window for each sigma.

    ``log p(x) = logsumexp_i(-||x - s_i||^2 / (2 sigma^2)) - log N - D/2 log(2 pi sigma^2)``,
    accumulated over blocks of test and sample rows (memory about
    ``batch_size * sample_batch * 8`` bytes per sigma).

    Returns:
        float64 array (len(sigmas), len(test)).
    """
    sigmas = np.atleast_1d(np.asarray(sigmas, dtype="float64"))
    if np.any(sigmas <= 0) or not np.all(np.isfinite(sigmas)):
        raise ValueError(f"sigmas must be positive, got {sigmas}")
    n, d = samples.shape
    out = np.empty((len(sigmas), test.shape[0]))
    inv = 1.0 / (2.0 * sigmas**2)
    sq_samples = np.sum(samples * samples, axis=1)
    for start in range(0, test.shape[0], batch_size):
        x = test[start : start + batch_size]
        sq_x = np.sum(x * x, axis=1)
        lse = np.full((len(sigmas), x.shape[0]), -np.inf)
        for s_start in range(0, n, sample_batch):
            s = samples[s_start : s_start + sample_batch]
            d2 = np.maximum(sq_x[:, None] + sq_samples[None, s_start : s_start + sample_batch] - 2.0 * x @ s.T, 0.0)
            a = -d2[None, :, :] * inv[:, None, None]
            block_max = a.max(axis=2)
            block_lse = block_max + np.log(np.exp(a - block_max[:, :, None]).sum(axis=2))
            lse = np.logaddexp(lse, block_lse)
        out[:, start : start + batch_size] = lse - np.log(n) - 0.5 * d * np.log(2 * np.pi * sigmas[:, None] ** 2)
    return out


def parzen_log_likelihood(samples, test, sigma=None, sigmas=None, validation=None, batch_size=1000):
    """Mean Parzen-window log-likelihood of ``test`` and its standard error.

    Args:
        samples: generated samples (N, ...), flattened to (N, D).
        test: held-out data (M, ...), same D.
        sigma: window width; when None it is chosen from ``sigmas`` by the
            mean log-likelihood of ``validation`` (as in the paper).
        sigmas: candidate widths (default ``10 ** linspace(-1, 0, 10)``).
        validation: held-out rows used to pick sigma (required when sigma is None).

    Returns:
        dict(mean=, std_error=, sigma=, num_samples=, num_test=, and, when
        sigma was selected, validation_curve=[(sigma, mean), ...]).

    Reference:
        Breuleux, Bengio & Vincent, "Quickly Generating Representative
        Samples from an RBM-Derived Process", Neural Computation 2011;
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    flat = lambda x, name: features_2d(np.asarray(x).reshape(len(x), -1), name, 1)  # noqa: E731
    samples, test = flat(samples, "samples"), flat(test, "test")
    same_dims(samples, test, "samples", "test")
    result = {"num_samples": samples.shape[0], "num_test": test.shape[0]}
    if sigma is None:
        if validation is None:
            raise ValueError("pass sigma=... or a validation array to choose sigma on")
        validation = flat(validation, "validation")
        same_dims(samples, validation, "samples", "validation")
        sigmas = 10.0 ** np.linspace(-1, 0, 10) if sigmas is None else np.asarray(sigmas, "float64")
        curve = parzen_log_likelihoods(samples, validation, sigmas, batch_size).mean(axis=1)
        sigma = float(sigmas[int(np.argmax(curve))])
        result["validation_curve"] = [(float(s), float(v)) for s, v in zip(sigmas, curve)]
    ll = parzen_log_likelihoods(samples, test, [float(sigma)], batch_size)[0]
    result.update(mean=float(ll.mean()), std_error=float(ll.std() / np.sqrt(len(ll))), sigma=float(sigma))
    return result
