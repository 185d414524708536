"""Scores for generated samples: FID, classifier score and mode coverage on MNIST; modes and quality in 2D.

Image metrics run the MNIST classifier of ``ganlab.classifier`` (99.45% on the
test split). Its 128-unit penultimate layer (``"features"``) plays the role
that Inception-v3's pool features play in the usual FID, so the numbers here
are comparable with each other, not with FIDs published for other data sets or
other networks.

================ ==============================================================
name             meaning
================ ==============================================================
``fid``          Fréchet distance of classifier features to the MNIST test split
``score``        classifier score exp(E KL(p(y|x) || p(y))), between 1 and 10
``modes``        digits (images) or mixture components (2D) that are covered
``kl``           KL(histogram of classes or modes || uniform), 0 when balanced
``high_quality`` fraction of 2D samples within 3 std of the nearest centre
================ ==============================================================

:class:`ganlab.callbacks.EvaluationCallback` writes these names into Keras' epoch logs, and
:func:`evaluate_file` (the ``ganlab evaluate`` command) returns them.
"""

import math
import os
import zipfile
from collections import namedtuple
from pathlib import Path

import numpy as np

from ganlab.classifier import (check_images, classifier_features, classifier_probabilities, features_and_logits,
                               softmax, weights_sha256)
from ganlab.config import cache_dir
from ganlab.datasets import MNIST_CLASSES, MNIST_IMAGE_SHAPE, ToyDistribution, load_mnist, toy_distribution

IMAGE_METRICS = ("fid", "score", "modes", "kl")
POINT_METRICS = ("modes", "high_quality", "kl")

ModeCoverage = namedtuple("ModeCoverage", ["counts", "fractions", "modes", "kl"])
ModeCoverage.__doc__ = """Predicted-class histogram of image samples (see :func:`mode_coverage`).

counts: int array (10,), samples per predicted digit. fractions: counts / N.
modes: digits with at least ``min_fraction`` of the samples. kl: KL(fractions || uniform)."""

ToyMetrics = namedtuple("ToyMetrics", ["modes", "high_quality", "kl", "counts"])
ToyMetrics.__doc__ = """Mode coverage and quality of 2D samples (see :func:`toy_metrics`).

modes: covered mixture components. high_quality: fraction of samples within 3 std of the
nearest centre. kl: KL(mode histogram of the high-quality samples || uniform).
counts: int array (K,), high-quality samples per mode."""

_reference_statistics = {}  # (mu, sigma) by the weights' hash, kept in memory after the first call


# --------------------------------------------------------------------------- Fréchet distance


def _check_features(features, name):
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2D array (samples, features), got shape {array.shape}.")
    if len(array) < 2:
        raise ValueError(f"{name} needs at least 2 samples to estimate a covariance, got {len(array)}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return array


def feature_statistics(features):
    """Return the mean and the covariance (ddof = 1) of feature vectors.

    Args:
        features: array (N, D) with N >= 2.

    Returns:
        ``(mu, sigma)``: float64 arrays (D,) and (D, D).

    Raises:
        ValueError: if ``features`` is not 2D, has fewer than 2 rows, or is not finite.
    """
    features = _check_features(features, "features")
    return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def _psd_sqrt(matrix):
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2):
    """Fréchet (2-Wasserstein) distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    $$ d^2 = \\lVert \\mu_1 - \\mu_2 \\rVert^2 + \\operatorname{tr}\\Sigma_1 + \\operatorname{tr}\\Sigma_2
           - 2 \\operatorname{tr}\\big(\\Sigma_1^{1/2} \\Sigma_2 \\Sigma_1^{1/2}\\big)^{1/2} $$

    (Dowson and Landau, 1982; used as FID by Heusel et al., 2017). The trace of
    the square root is computed from symmetric eigendecompositions: first
    Sigma1^(1/2), then the eigenvalues of the symmetric positive semi-definite
    Sigma1^(1/2) Sigma2 Sigma1^(1/2), whose square roots are summed. Rounding
    makes tiny negative eigenvalues, which are set to 0, so singular
    covariances (fewer samples than features, dead units) are handled without
    the complex parts that ``scipy.linalg.sqrtm(sigma1 @ sigma2)`` produces.
    A result a rounding error below 0 is returned as 0.

    Args:
        mu1, mu2: mean vectors (D,).
        sigma1, sigma2: covariance matrices (D, D), symmetric positive semi-definite.

    Returns:
        The squared distance d^2 as a float (the number reported as "FID").

    Raises:
        ValueError: for shapes that do not match, non-square or non-symmetric covariances,
            or values that are not finite.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise ValueError(f"mu1 and mu2 must be vectors of the same length, got shapes {mu1.shape} and {mu2.shape}.")
    dim = len(mu1)
    for name, sigma in (("sigma1", sigma1), ("sigma2", sigma2)):
        if sigma.shape != (dim, dim):
            raise ValueError(f"{name} must have shape ({dim}, {dim}) to match the means, got {sigma.shape}.")
        if not np.isfinite(sigma).all():
            raise ValueError(f"{name} holds NaN or infinite values.")
        if not np.allclose(sigma, sigma.T, rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(sigma).max()))):
            raise ValueError(f"{name} must be symmetric (a covariance matrix).")
    if not (np.isfinite(mu1).all() and np.isfinite(mu2).all()):
        raise ValueError("mu1 and mu2 must be finite.")
    sigma1, sigma2 = (sigma1 + sigma1.T) / 2, (sigma2 + sigma2.T) / 2
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())
    difference = mu1 - mu2
    distance = float(difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt)
    return max(distance, 0.0)


def frechet_distance_from_features(features1, features2):
    """Fréchet distance between Gaussians fitted (mean, covariance with ddof 1) to two feature sets.

    See :func:`frechet_distance_from_statistics` for the formula. Biased
    upwards at small N: compare only numbers computed at the same N.

    Args:
        features1, features2: arrays (N1, D) and (N2, D), N1, N2 >= 2.

    Returns:
        The Fréchet distance as a float.

    Raises:
        ValueError: if the arrays are not 2D, hold fewer than 2 rows, have different D, or are not finite.
    """
    features1 = _check_features(features1, "features1")
    features2 = _check_features(features2, "features2")
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(f"features1 has {features1.shape[1]} features per sample but features2 has "
                         f"{features2.shape[1]}.")
    return frechet_distance_from_statistics(*feature_statistics(features1), *feature_statistics(features2))


def reference_statistics():
    """Mean and covariance of the classifier features of the 10,000 MNIST test images.

    Computed once, then kept in memory and in ``ganlab.cache_dir()`` under a
    name that holds the SHA-256 of the weights file, so new weights never reuse
    stale statistics. The test split is read with :func:`ganlab.load_mnist`
    (which honours ``GANLAB_DATA_DIR``).

    Returns:
        ``(mu, sigma)``: float64 arrays (128,) and (128, 128).
    """
    key = weights_sha256()[:16]
    if key in _reference_statistics:
        return _reference_statistics[key]
    path = cache_dir() / f"mnist_test_features_{key}.npz"
    statistics = None
    if path.is_file():
        try:
            with np.load(path) as stored:
                statistics = stored["mu"], stored["sigma"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            statistics = None  # a damaged cache file is recomputed and replaced
    if statistics is None:
        images, _ = load_mnist("test")
        statistics = feature_statistics(classifier_features(images))
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as stream:
            np.savez(stream, mu=statistics[0], sigma=statistics[1], n=len(images))
        os.replace(tmp, path)
    _reference_statistics[key] = statistics
    return statistics


def _check_n(n, available, what="samples"):
    if n is None:
        return available
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer or None, got {n!r}.")
    if n > available:
        raise ValueError(f"n={n} asks for more {what} than the {available} given.")
    return int(n)


def frechet_distance(samples, reference=None, n=None):
    """FID: Fréchet distance between classifier features of ``samples`` and of real MNIST digits.

    $$ \\mathrm{FID} = \\lVert \\mu_g - \\mu_r \\rVert^2 + \\operatorname{tr}\\big(\\Sigma_g + \\Sigma_r
           - 2 (\\Sigma_r^{1/2} \\Sigma_g \\Sigma_r^{1/2})^{1/2}\\big) $$

    with means and covariances of the 128 penultimate-layer features of the
    package's classifier (Heusel et al., 2017, "GANs trained by a two time-scale
    update rule converge to a local Nash equilibrium", with this classifier in
    place of Inception-v3). The estimate is biased upwards, more so at small
    N: the first N real train digits against the test split score 5.4 at
    N = 1,000, 1.9 at N = 5,000 and 1.3 at N = 10,000. So compare models only
    at the same N: 10,000 samples, the size of the reference, by default.

    Args:
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1], N >= 2.
        reference: images to compare with; None (the default) uses the 10,000
            MNIST test images, whose statistics are cached (:func:`reference_statistics`).
        n: use only the first ``n`` samples (None: all).

    Returns:
        The FID as a float (0 for identical statistics).

    Raises:
        ValueError: for images of the wrong shape or range, fewer than 2 samples, or a bad ``n``.
    """
    samples = check_images(samples, "samples")
    samples = samples[:_check_n(n, len(samples))]
    if reference is None:
        reference_mu, reference_sigma = reference_statistics()
    else:
        reference_mu, reference_sigma = feature_statistics(features_and_logits(reference, "reference")[0])
    return frechet_distance_from_statistics(*feature_statistics(classifier_features(samples)),
                                            reference_mu, reference_sigma)


# --------------------------------------------------------------------------- score and modes


def classifier_score_from_probabilities(probabilities):
    """Inception-Score formula on given class probabilities: exp(E_x KL(p(y|x) || p(y))).

    $$ S = \\exp\\Big(\\frac{1}{N}\\sum_i \\sum_y p(y\\mid x_i)
           \\log\\frac{p(y\\mid x_i)}{p(y)}\\Big), \\qquad p(y) = \\frac{1}{N}\\sum_i p(y\\mid x_i) $$

    (Salimans et al., 2016), computed on all N samples at once (no splits),
    with 0 log 0 = 0. It lies between 1 and the number of classes, which it
    reaches when every sample is classified with certainty and the classes
    are balanced.

    Args:
        probabilities: array (N, C), non-negative rows that sum to 1 (within 1e-3).

    Returns:
        The score as a float.

    Raises:
        ValueError: if ``probabilities`` is not a non-empty 2D array of probability rows.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probabilities must be a non-empty 2D array (samples, classes), got shape {p.shape}.")
    if not np.isfinite(p).all() or (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probabilities must be finite, non-negative, and each row must sum to 1.")
    marginal = p.mean(axis=0)
    positive = p > 0
    log_ratio = np.log(np.where(positive, p, 1.0)) - np.log(np.where(positive, marginal, 1.0))
    return float(np.exp(np.sum(np.where(positive, p * log_ratio, 0.0)) / len(p)))


def classifier_score(samples):
    """Classifier score (the Inception Score with the package's MNIST classifier) of image samples.

    $$ S = \\exp\\big(\\mathbb{E}_x\\, \\mathrm{KL}(p(y\\mid x) \\,\\|\\, p(y))\\big) $$

    (Salimans et al., 2016, "Improved techniques for training GANs"). It is
    between 1 and 10: high when each sample is a confident digit and all ten
    digits are equally frequent. Real test digits score about 9.9. Like FID it
    depends on N; see :func:`classifier_score_from_probabilities`.

    Args:
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].

    Returns:
        The score as a float.

    Raises:
        ValueError: for images of the wrong shape or range.
    """
    return classifier_score_from_probabilities(classifier_probabilities(samples))


def _kl_from_uniform(counts):
    """KL(counts / total || uniform over len(counts)), with 0 log 0 = 0."""
    fractions = counts / counts.sum()
    nonzero = fractions[fractions > 0]
    return float(np.sum(nonzero * np.log(nonzero * len(counts))))


def mode_coverage_from_labels(labels, num_classes=MNIST_CLASSES, min_fraction=0.02):
    """Histogram of class labels, the classes holding at least ``min_fraction``, and KL from uniform.

    $$ \\mathrm{KL}(q \\,\\|\\, u) = \\sum_{k:\\, q_k > 0} q_k \\log(K q_k) $$

    with q the fractions and K = ``num_classes``: 0 for balanced classes,
    log K when all samples share one class. Empty classes add nothing (0 log 0 = 0),
    so the value is always finite.

    Args:
        labels: integer array (N,), values in [0, num_classes).
        num_classes: K.
        min_fraction: a class counts as covered when it holds at least this fraction.

    Returns:
        A :class:`ModeCoverage` (counts, fractions, modes, kl).

    Raises:
        ValueError: for an empty array, non-integer labels or labels out of range, or a bad ``min_fraction``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a non-empty 1D integer array, got dtype {labels.dtype} "
                         f"and shape {labels.shape}.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got values in [{labels.min()}, {labels.max()}].")
    if not 0.0 <= min_fraction <= 1.0:
        raise ValueError(f"min_fraction must be in [0, 1], got {min_fraction!r}.")
    counts = np.bincount(labels, minlength=num_classes)
    fractions = counts / len(labels)
    modes = int(np.sum(fractions >= min_fraction))
    return ModeCoverage(counts, fractions, modes, _kl_from_uniform(counts))


def mode_coverage(samples, min_fraction=0.02):
    """Which digits image samples show, by the classifier's prediction (arg max p(y|x)).

    A digit counts as covered when at least ``min_fraction`` (2%) of the
    samples are predicted as it. The spread is measured by
    KL(q || uniform) = sum_k q_k log(10 q_k) of the predicted-class fractions q:
    0 for balanced digits, log 10 = 2.303 when every sample is the same digit
    (the mode collapse of Goodfellow et al., 2014; "number of modes" as in Che et al.,
    2017, "Mode regularized GANs").

    Args:
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].
        min_fraction: the share a digit needs to count as covered.

    Returns:
        A :class:`ModeCoverage` with counts and fractions over the 10 digits,
        ``modes`` (0 to 10) and ``kl``.

    Raises:
        ValueError: for images of the wrong shape or range, or a bad ``min_fraction``.
    """
    predictions = np.argmax(features_and_logits(samples, "samples")[1], axis=1)
    return mode_coverage_from_labels(predictions, MNIST_CLASSES, min_fraction)


# --------------------------------------------------------------------------- 2D toy data


def as_distribution(distribution):
    """A :class:`ganlab.datasets.ToyDistribution` itself, or the one named ``"ring8"`` / ``"grid25"``."""
    if isinstance(distribution, ToyDistribution):
        return distribution
    if isinstance(distribution, str):
        return toy_distribution(distribution)
    raise ValueError(f"distribution must be a ToyDistribution or one of 'ring8', 'grid25', got {distribution!r}.")


def _check_points(points, name="points"):
    array = np.asarray(points)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a real-valued numeric array, got dtype {array.dtype}.")
    if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0:
        raise ValueError(f"{name} must have shape (N, 2) with N >= 1 (points in the plane), got {array.shape}.")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds {int(np.sum(~np.isfinite(array).all(axis=1)))} points with NaN or "
                         "infinite coordinates.")
    return array


def toy_metrics(points, distribution, min_samples=1):
    """Modes covered, high-quality fraction and reverse KL of 2D samples from a Gaussian mixture.

    With centres c_1..c_K and standard deviation s of the mixture
    (VEEGAN, Srivastava et al., 2017; PacGAN, Lin et al., 2018):

    - ``high_quality``: the fraction of samples within 3 s of the nearest centre.
    - ``modes``: how many centres have at least ``min_samples`` samples within
      3 s of them (1, as in VEEGAN, by default; PacGAN's stricter rule is a
      higher threshold).
    - ``kl``: each high-quality sample is assigned to its nearest centre,
      giving fractions q_k over the K modes (samples that are not
      high-quality are left out), and

      $$ \\mathrm{KL}(q \\,\\|\\, u) = \\sum_{k:\\, q_k > 0} q_k \\log(K q_k), $$

      the "reverse" KL from the generated mode histogram to the true, uniform
      one. Empty modes add nothing (0 log 0 = 0), so no epsilon is needed and
      the value lies in [0, log K]: 0 for balanced modes, log K when all
      high-quality samples sit in one mode. When no sample is high-quality the
      histogram is empty; ``kl`` is then defined as log K, the value of total
      collapse, so that it stays finite (in Keras logs and in JSON).

    Exact samples of an isotropic 2D Gaussian fall within 3 s with probability
    1 - exp(-9/2) = 0.989, the ``high_quality`` of a perfect generator.

    Args:
        points: array (N, 2).
        distribution: a :class:`ganlab.datasets.ToyDistribution`, or ``"ring8"`` / ``"grid25"``.
        min_samples: samples a mode needs within 3 s of its centre to count as covered.

    Returns:
        A :class:`ToyMetrics` (modes, high_quality, kl, counts), with ``counts``
        the high-quality samples per mode.

    Raises:
        ValueError: for points not of shape (N, 2), NaN coordinates, an unknown
            distribution, or a bad ``min_samples``.
    """
    points = _check_points(points)
    distribution = as_distribution(distribution)
    if isinstance(min_samples, bool) or not isinstance(min_samples, (int, np.integer)) or min_samples < 1:
        raise ValueError(f"min_samples must be a positive integer, got {min_samples!r}.")
    centres = np.asarray(distribution.centres, dtype=np.float64)
    radius = 3.0 * distribution.std
    near_counts = np.zeros(len(centres), dtype=np.int64)
    nearest, nearest_distance = [], []
    for start in range(0, len(points), 65536):
        chunk = points[start:start + 65536]
        distances = np.linalg.norm(chunk[:, None, :] - centres[None, :, :], axis=2)
        near_counts += np.sum(distances <= radius, axis=0)
        nearest.append(np.argmin(distances, axis=1))
        nearest_distance.append(np.min(distances, axis=1))
    nearest, nearest_distance = np.concatenate(nearest), np.concatenate(nearest_distance)
    good = nearest_distance <= radius
    counts = np.bincount(nearest[good], minlength=len(centres))
    kl = _kl_from_uniform(counts) if counts.sum() else math.log(len(centres))
    return ToyMetrics(int(np.sum(near_counts >= min_samples)), float(good.mean()), kl, counts)


# --------------------------------------------------------------------------- one-call evaluation


def evaluate_images(samples, n=None, metrics=IMAGE_METRICS):
    """Compute FID, classifier score, covered digits and class KL of image samples in one classifier pass.

    Args:
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].
        n: use only the first ``n`` samples (None: all). FID is biased at small
            N: compare models at the same N (10,000 by default elsewhere).
        metrics: which of ``"fid"``, ``"score"``, ``"modes"``, ``"kl"`` to compute.

    Returns:
        A dict with the requested keys: ``fid`` (float, :func:`frechet_distance`),
        ``score`` (float, :func:`classifier_score`), ``modes`` (int) and ``kl``
        (float) from :func:`mode_coverage`.

    Raises:
        ValueError: for images of the wrong shape or range, a bad ``n``, or an unknown metric.
    """
    metrics = check_metric_names(metrics, IMAGE_METRICS)
    samples = check_images(samples, "samples")
    samples = samples[:_check_n(n, len(samples))]
    if "fid" in metrics and len(samples) < 2:
        raise ValueError("FID needs at least 2 samples to estimate a covariance.")
    reference = reference_statistics() if "fid" in metrics else None
    features, logits = features_and_logits(samples, "samples")
    results = {}
    if "fid" in metrics:
        results["fid"] = frechet_distance_from_statistics(*feature_statistics(features), *reference)
    if "score" in metrics:
        results["score"] = classifier_score_from_probabilities(softmax(logits))
    if "modes" in metrics or "kl" in metrics:
        coverage = mode_coverage_from_labels(np.argmax(logits, axis=1))
        if "modes" in metrics:
            results["modes"] = coverage.modes
        if "kl" in metrics:
            results["kl"] = coverage.kl
    return results


def evaluate_points(points, distribution="ring8", n=None, metrics=POINT_METRICS):
    """Compute covered modes, high-quality fraction and mode KL of 2D samples (see :func:`toy_metrics`).

    Args:
        points: array (N, 2).
        distribution: the mixture the points should come from: a
            :class:`ganlab.datasets.ToyDistribution`, ``"ring8"`` (default) or ``"grid25"``.
        n: use only the first ``n`` points (None: all).
        metrics: which of ``"modes"``, ``"high_quality"``, ``"kl"`` to return.

    Returns:
        A dict with the requested keys: ``modes`` (int), ``high_quality`` (float in [0, 1]), ``kl`` (float).

    Raises:
        ValueError: for points of the wrong shape, NaNs, a bad ``n``, or an unknown distribution or metric.
    """
    metrics = check_metric_names(metrics, POINT_METRICS)
    points = _check_points(points)
    result = toy_metrics(points[:_check_n(n, len(points))], distribution)
    values = {"modes": result.modes, "high_quality": result.high_quality, "kl": result.kl}
    return {name: values[name] for name in POINT_METRICS if name in metrics}


def evaluate_file(path, n=None, distribution="ring8"):
    """Score the samples in an ``.npz`` file (the ``ganlab evaluate`` command).

    The file must hold an array under the key ``samples``, as ``ganlab sample``
    writes it: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1], or 2D points (N, 2).

    Args:
        path: the ``.npz`` file.
        n: use only the first ``n`` samples (None: all). FID is biased at small
            N, so compare files at the same N (10,000 recommended).
        distribution: for 2D points only, the mixture they are scored against:
            ``"ring8"`` (default), ``"grid25"`` or a :class:`ganlab.datasets.ToyDistribution`.

    Returns:
        For images, ``{"fid", "score", "modes", "kl"}`` (see :func:`evaluate_images`);
        for points, ``{"modes", "high_quality", "kl"}`` (see :func:`evaluate_points`).
        Values are plain Python ints and floats, ready for ``json.dumps``.

    Raises:
        ValueError: if the file is missing or is not an ``.npz`` archive, has no
            ``samples`` key, or holds samples of another shape, with NaNs, or
            (images) outside [-1, 1]; or for a bad ``n`` or ``distribution``.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file.")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a readable .npz file ({error}); write one with "
                         "numpy.savez(path, samples=array) or `ganlab sample`.") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is a .npy array, not an .npz archive; save it with numpy.savez(path, samples=array).")
    with archive:
        if "samples" not in archive.files:
            raise ValueError(f"{path} has no array named 'samples' (it holds {sorted(archive.files)}); "
                             "save it with numpy.savez(path, samples=array).")
        try:
            samples = archive["samples"]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: the array 'samples' could not be read ({error}).") from None
    if samples.ndim == 2 and samples.shape[1] == 2:
        return evaluate_points(samples, distribution=distribution, n=n)
    if samples.ndim in (3, 4) and samples.shape[1:3] == MNIST_IMAGE_SHAPE[:2] and samples.shape[3:] in ((), (1,)):
        return evaluate_images(samples, n=n)
    raise ValueError(f"{path}: 'samples' has shape {samples.shape}; expected images (N, 28, 28, 1) or "
                     "(N, 28, 28), or 2D points (N, 2).")


def check_metric_names(metrics, allowed):
    """``metrics`` (a name or names) as a tuple, or ValueError if it is empty or holds a name not in ``allowed``."""
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    unknown = [name for name in metrics if name not in allowed]
    if unknown or not metrics:
        raise ValueError(f"metrics must be a non-empty selection of {allowed}, got {metrics!r}.")
    return metrics
