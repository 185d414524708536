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

import hashlib
import math
import os
import zipfile
from collections import namedtuple
from pathlib import Path

import numpy as np

from ganlab._checks import positive_int
from ganlab.classifier import (PAINTING_CROP_SCALE, RANGE_TOLERANCE, check_images, classifier_features,
                               classifier_probabilities, features_and_logits, softmax, weights_sha256)
from ganlab.config import cache_dir
from ganlab.datasets import (DEFAULT_SCALE, MNIST_CLASSES, MNIST_IMAGE_SHAPE, ToyDistribution, load_mnist,
                             toy_distribution)

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

FEATURES = 128  # the width of both classifiers' feature layers (FID's embedding)
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
    def compute():
        images, _ = load_mnist("test")
        mu, sigma = feature_statistics(classifier_features(images))
        return dict(mu=mu, sigma=sigma, n=len(images))

    arrays = _cached_npz(_reference_statistics, f"mnist_test_features_{weights_sha256()[:16]}.npz", compute,
                         ("mu", "sigma"))
    return arrays["mu"], arrays["sigma"]


def _cached_npz(memory, filename, compute, names, valid=None):
    """Arrays computed once, then kept in ``memory`` (a dict) and in ``cache_dir() / filename`` (an ``.npz``).

    ``compute()`` returns a dict of arrays; it runs when neither cache holds the file, or the file is
    damaged, lacks one of ``names`` or fails ``valid(arrays)``. The file is written atomically.
    """
    if filename in memory:
        return memory[filename]
    path = cache_dir() / filename
    arrays = None
    if path.is_file():
        try:
            with np.load(path) as stored:
                arrays = {name: stored[name] for name in names}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            arrays = None  # a damaged cache file is recomputed and replaced
    if arrays is None or (valid is not None and not valid(arrays)):
        arrays = compute()
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(tmp, path)
    memory[filename] = arrays
    return arrays


def _check_n(n, available, what="samples"):
    if n is None:
        return available
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer or None, got {n!r}.")
    if n > available:
        raise ValueError(f"n={n} asks for more {what} than the {available} given.")
    return int(n)


def _check_fid_count(count, dimensions, what="samples"):
    """Refuse an FID of ``count`` samples with ``dimensions`` features: at or below it the covariance is singular."""
    if count <= dimensions:
        raise ValueError(f"FID needs more {what} than features: at least {dimensions + 1} for the {dimensions} "
                         f"classifier features (with fewer their covariance is singular and the FID meaningless), "
                         f"got {count}; compare models at the same, larger N (10,000 in the book).")


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
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1], N > 128 (FID needs more samples than features).
        reference: images to compare with; None (the default) uses the 10,000
            MNIST test images, whose statistics are cached (:func:`reference_statistics`).
        n: use only the first ``n`` samples (None: all).

    Returns:
        The FID as a float (0 for identical statistics).

    Raises:
        ValueError: for images of the wrong shape or range, 128 samples or fewer, or a bad ``n``.
    """
    samples = check_images(samples, "samples")
    samples = samples[:_check_n(n, len(samples))]
    _check_fid_count(len(samples), FEATURES)
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


def evaluate_images(samples, n=None, metrics=IMAGE_METRICS, reference=None):
    """Compute FID, classifier score, covered digits and class KL of image samples in one classifier pass.

    Args:
        samples: images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].
        n: use only the first ``n`` samples (None: all). FID is biased at small
            N: compare models at the same N (10,000 by default elsewhere).
        metrics: which of ``"fid"``, ``"score"``, ``"modes"``, ``"kl"`` to compute.
        reference: the real images the FID compares with; None (the default)
            uses the 10,000 MNIST test images (:func:`reference_statistics`).
            :func:`real_data_floor` passes the second half of the test split.

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
    if "fid" in metrics:
        _check_fid_count(len(samples), FEATURES)
    if "fid" not in metrics:
        reference = None
    elif reference is None:
        reference = reference_statistics()
    else:
        reference = feature_statistics(features_and_logits(reference, "reference")[0])
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


TEST_HALVES_SEED = 0  # the seed of the random split of the test split into two halves


def test_split_halves(seed=TEST_HALVES_SEED):
    """The MNIST test split in two random halves of equal size: real digits the classifier never saw.

    The classifier of :mod:`ganlab.classifier` was trained on the training
    split, so its features of training digits are those of digits it fitted,
    not those of new handwriting. The two halves are disjoint samples of
    held-out digits. They are drawn at random (a permutation with ``seed``),
    not cut in the middle: the first 5,000 test digits come from NIST's SD-3
    and the last 5,000 from SD-1, written by different people (LeCun et al.,
    1998), and the two halves cut in the middle score an FID of about 15
    against each other at N = 5,000, against about 1.7 for random halves.

    Args:
        seed: seed of the permutation (a non-negative integer).

    Returns:
        ``(first, second)``: float32 images (N // 2, 28, 28, 1) and (N - N // 2, 28, 28, 1) in [-1, 1].
    """
    images, _ = load_mnist("test")
    if seed is None:
        raise ValueError("seed must be a non-negative integer, got None; the halves must be the same every time.")
    order = np.random.default_rng(_check_seed(seed)).permutation(len(images))
    half = len(images) // 2
    return images[order[:half]], images[order[half:]]


def real_data_floor(n=None, metrics=IMAGE_METRICS):
    """What real, held-out digits score: the first half of the test split against the second half.

    The *real-data floor* is the best a perfect generator could score under
    the same conditions: the same N, the same feature network, a reference of
    real digits. Both halves are held out from the classifier's training, and
    they are disjoint, so neither side is a digit the classifier fitted nor a
    digit of the reference. At N = 5,000 the floor's FID is about 1.7, and the
    first 5,000 training digits against the same second half score about 2.3. Score a model for comparison against the same
    reference: ``evaluate_images(samples, n=n, reference=test_split_halves()[1])``,
    with the same ``n``. With the 10,000 test digits, N is at most 5,000.

    Args:
        n: digits of the first half to score (None: all of it).
        metrics: as in :func:`evaluate_images`.

    Returns:
        :func:`evaluate_images`' dict for the first ``n`` digits of the first half.

    Raises:
        ValueError: for an ``n`` larger than the first half, or too small for the FID.
    """
    first, second = test_split_halves()
    return evaluate_images(first, n=n, metrics=metrics, reference=second)


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


def evaluate_file(path, n=None, distribution="ring8", painting=None, scale=None):
    """Score the samples in an ``.npz`` file (the ``ganlab evaluate`` command).

    The file must hold an array under the key ``samples``, as ``ganlab sample``
    writes it: MNIST images (N, 28, 28, 1) or (N, 28, 28) in [-1, 1], colour
    crops (N, S, S, 3) in [-1, 1] with S from 16 to 256 (scored against the
    eight paintings: :func:`evaluate_paintings`), or 2D points (N, 2).

    Args:
        path: the ``.npz`` file.
        n: use only the first ``n`` samples (None: all). FID is biased at small
            N, so compare files at the same N (10,000 recommended).
        distribution: for 2D points only, the mixture they are scored against:
            ``"ring8"`` (default), ``"grid25"`` or a :class:`ganlab.datasets.ToyDistribution`.
        painting: for colour crops only, the painting they were asked for (an index, the label of a
            conditional run, or a key); None scores them against all eight.
        scale: for colour crops only, the crop scale the model trained on (default: the package's,
            ``ganlab.datasets.DEFAULT_SCALE``).

    Returns:
        For images, ``{"fid", "score", "modes", "kl"}`` (see :func:`evaluate_images`);
        for colour crops, :func:`evaluate_paintings`' dict (FID and KID with their real-crop floors, ...);
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
    colour = samples.ndim == 4 and samples.shape[3] == 3
    if painting is not None and not colour:
        raise ValueError(f"{path}: a painting applies to colour crops (N, S, S, 3), not to samples of shape "
                         f"{samples.shape}.")
    if samples.ndim == 2 and samples.shape[1] == 2:
        return evaluate_points(samples, distribution=distribution, n=n)
    if samples.ndim in (3, 4) and samples.shape[1:3] == MNIST_IMAGE_SHAPE[:2] and samples.shape[3:] in ((), (1,)):
        return evaluate_images(samples, n=n)
    if colour:
        return evaluate_paintings(samples, painting=painting, n=n, scale=DEFAULT_SCALE if scale is None else scale)
    raise ValueError(f"{path}: 'samples' has shape {samples.shape}; expected MNIST images (N, 28, 28, 1) or "
                     "(N, 28, 28), colour crops (N, S, S, 3), or 2D points (N, 2).")


def check_metric_names(metrics, allowed):
    """``metrics`` (a name or names) as a tuple, or ValueError if it is empty or holds a name not in ``allowed``."""
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    unknown = [name for name in metrics if name not in allowed]
    if unknown or not metrics:
        raise ValueError(f"metrics must be a non-empty selection of {allowed}, got {metrics!r}.")
    return metrics


# =========================================================================== colour art
# Metrics for colour images of any size (the paintings of issue 13): KID on any
# features, the sliced Wasserstein distance on Laplacian-pyramid patches, a
# nearest-neighbour memorisation check, and the painting classifier's scores.


SlicedWasserstein = namedtuple("SlicedWasserstein", ["distances", "mean", "resolutions"])
SlicedWasserstein.__doc__ = """Sliced Wasserstein distance per pyramid level (see :func:`sliced_wasserstein_distance`).

distances: float array (L,), one distance per Laplacian-pyramid level, finest first.
mean: their mean. resolutions: the side of each level, e.g. (64, 32, 16)."""

Neighbours = namedtuple("Neighbours", ["distances", "indices"])
Neighbours.__doc__ = """The k nearest references of each query (see :func:`nearest_neighbours`).

distances: float64 array (N, k), Euclidean distances in increasing order.
indices: int64 array (N, k), the references' row numbers."""

Memorisation = namedtuple("Memorisation", [
    "sample_distances", "neighbour_indices", "neighbour_distances", "fresh_distances", "threshold",
    "flagged", "fraction_flagged", "expected_fraction", "median_sample", "median_fresh"])
Memorisation.__doc__ = """Result of :func:`memorisation_check`.

sample_distances: (N,) each sample's distance to its nearest training crop.
neighbour_indices, neighbour_distances: (N, k) its k nearest training crops, nearest first
(row numbers into ``training_crops``, for a figure of each sample beside them).
fresh_distances: (M,) the same distance for each fresh real crop (the baseline).
threshold: the ``quantile`` of ``fresh_distances``. flagged: (N,) bool, sample distance < threshold.
fraction_flagged: flagged.mean(). expected_fraction: ``quantile``, what fraction_flagged is
for samples as new as fresh real crops. median_sample, median_fresh: the two medians."""


def _check_color_images(images, name="images", min_size=1):
    """Validate images (N, H, W, C) with C in (1, 3) (or (N, H, W), made grey) in [-1, 1]; float32 copy."""
    array = np.asarray(images)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a real-valued numeric array, got dtype {array.dtype}.")
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[3] not in (1, 3):
        raise ValueError(f"{name} must have shape (N, H, W, C) with C = 1 or 3 (channels last), "
                         f"got shape {array.shape}.")
    if len(array) == 0:
        raise ValueError(f"{name} holds no images (shape {array.shape}).")
    if min(array.shape[1:3]) < min_size:
        raise ValueError(f"{name} must be at least {min_size} x {min_size} pixels, got {array.shape[1]} x "
                         f"{array.shape[2]}.")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds {int(array.size - np.isfinite(array).sum())} NaN or infinite values.")
    low, high = float(array.min()), float(array.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise ValueError(f"{name} must have values in [-1, 1], got values in [{low:.4g}, {high:.4g}]. "
                         "Scale uint8 pixels with x / 127.5 - 1.")
    return np.clip(array, -1.0, 1.0)


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}.")
    return seed


# --------------------------------------------------------------------------- kernel inception distance


def polynomial_kernel(features1, features2):
    """The cubic polynomial kernel of KID: k(x, y) = (x . y / d + 1)^3 for every pair of rows.

    Args:
        features1, features2: arrays (N1, d) and (N2, d).

    Returns:
        float64 array (N1, N2).
    """
    features1 = np.asarray(features1, np.float64)
    features2 = np.asarray(features2, np.float64)
    return (features1 @ features2.T / features1.shape[1] + 1.0) ** 3


def unbiased_mmd2(features1, features2):
    """Unbiased estimate of the squared maximum mean discrepancy with the cubic polynomial kernel.

    $$ \\widehat{\\mathrm{MMD}}^2_u = \\frac{1}{m(m-1)} \\sum_{i \\ne j} k(x_i, x_j)
        + \\frac{1}{n(n-1)} \\sum_{i \\ne j} k(y_i, y_j) - \\frac{2}{mn} \\sum_{i, j} k(x_i, y_j) $$

    (Gretton et al., 2012, "A kernel two-sample test", Lemma 6), with
    k = :func:`polynomial_kernel`. Unbiased: its mean over draws is the true
    MMD^2, so for two samples of one distribution it scatters around 0 and can
    be slightly negative.

    Args:
        features1, features2: arrays (m, d) and (n, d), m, n >= 2.

    Returns:
        The estimate as a float.
    """
    m, n = len(features1), len(features2)
    k11 = polynomial_kernel(features1, features1)
    k22 = polynomial_kernel(features2, features2)
    k12 = polynomial_kernel(features1, features2)
    return float((k11.sum() - np.trace(k11)) / (m * (m - 1)) + (k22.sum() - np.trace(k22)) / (n * (n - 1))
                 - 2.0 * k12.mean())


def kernel_distance_from_features(features1, features2, subsets=100, subset_size=1000, seed=0):
    """KID: the unbiased squared MMD between two feature sets, averaged over random subsets.

    $$ \\mathrm{KID} = \\widehat{\\mathrm{MMD}}^2_u(X, Y), \\qquad
       k(x, y) = \\big(\\tfrac{1}{d}\\, x^\\top y + 1\\big)^3 $$

    (Bińkowski et al., 2018, "Demystifying MMD GANs";
    :func:`unbiased_mmd2`). Each of ``subsets`` rounds draws
    ``min(subset_size, N1, N2)`` rows of each set without replacement and
    computes the estimate; the mean and standard deviation over rounds are
    returned. Unlike FID the estimator is unbiased, so numbers at small N
    can be compared with numbers at large N (they are only noisier), and a
    value of about 0, possibly slightly negative, means the feature
    distributions cannot be told apart at this N.

    Args:
        features1, features2: arrays (N1, d) and (N2, d), N1, N2 >= 2.
        subsets: number of random subsets (rounds).
        subset_size: rows drawn from each set per round (at most N1 and N2).
        seed: seed of the subset draws (the result is deterministic for a seed).

    Returns:
        ``(mean, std)``: floats, the mean of the per-round estimates and their
        standard deviation (ddof 0; 0 when one round is asked for).

    Raises:
        ValueError: if the arrays are not 2D, have fewer than 2 rows or different d, are not
            finite, or ``subsets``, ``subset_size`` or ``seed`` are bad.
    """
    features1 = _check_features(features1, "features1")
    features2 = _check_features(features2, "features2")
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(f"features1 has {features1.shape[1]} features per sample but features2 has "
                         f"{features2.shape[1]}.")
    subsets = positive_int("subsets", subsets)
    subset_size = positive_int("subset_size", subset_size)
    if subset_size < 2:
        raise ValueError(f"subset_size must be at least 2 (the estimator needs pairs), got {subset_size}.")
    size = min(subset_size, len(features1), len(features2))
    rng = np.random.default_rng(_check_seed(seed))
    estimates = np.empty(subsets)
    for round_ in range(subsets):
        rows1 = rng.choice(len(features1), size, replace=False)
        rows2 = rng.choice(len(features2), size, replace=False)
        estimates[round_] = unbiased_mmd2(features1[rows1], features2[rows2])
    return float(estimates.mean()), float(estimates.std())


# --------------------------------------------------------------------------- precision and recall

PrecisionRecall = namedtuple("PrecisionRecall", ["precision", "recall"])
PrecisionRecall.__doc__ = """Improved precision and recall (see :func:`precision_recall`).

precision: share of generated samples inside the real manifold (fidelity).
recall: share of real samples inside the generated manifold (diversity)."""


def _inside_manifold(queries, points, radii, batch_size):
    """For each query, whether it lies within ``radii[j]`` of some ``points[j]`` (L2), block by block."""
    inside = np.empty(len(queries), bool)
    point_norms = np.einsum("ij,ij->i", points, points)
    for start in range(0, len(queries), batch_size):
        batch = queries[start:start + batch_size]
        squared = (np.einsum("ij,ij->i", batch, batch)[:, None] + point_norms[None, :] - 2.0 * batch @ points.T)
        inside[start:start + batch_size] = np.any(squared <= radii[None, :] ** 2 * (1 + 1e-9), axis=1)
    return inside


def precision_recall(real_features, generated_features, k=3, batch_size=1024):
    """Improved precision and recall of generated samples: k-NN manifolds in feature space.

    Each set's manifold is the union of balls around its points, each ball
    reaching the point's k-th nearest neighbour in the same set (itself
    excluded). Precision is the share of generated points inside the real
    manifold, recall the share of real points inside the generated manifold
    (Kynkäänniemi et al., 2019, "Improved precision and recall metric for
    assessing generative models", who use k = 3 and VGG-16 features; here the
    classifier's features play that role):

    $$ \\mathrm{precision} = \\frac{1}{M} \\sum_{j} f(g_j; R), \\qquad
       \\mathrm{recall} = \\frac{1}{N} \\sum_{i} f(r_i; G), $$

    with f(x; S) = 1 when x lies within the k-NN radius of some point of S.
    A generator that draws only good, alike samples has high precision and
    low recall; one that covers the data with poor samples the reverse. Both
    depend on N and k: compare at the same N and k.

    Args:
        real_features, generated_features: arrays (N, d) and (M, d), N, M > k.
        k: the neighbour that sets each ball's radius.
        batch_size: queries per block (memory: batch_size x N distances).

    Returns:
        A :class:`PrecisionRecall` of floats in [0, 1].

    Raises:
        ValueError: for arrays that are not 2D, not finite, of different d, with k or fewer rows, or a bad ``k``.
    """
    k = positive_int("k", k)
    batch_size = positive_int("batch_size", batch_size)
    real = _check_features(real_features, "real_features")
    generated = _check_features(generated_features, "generated_features")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"real_features has {real.shape[1]} features per sample but generated_features has "
                         f"{generated.shape[1]}.")
    for name, array in (("real_features", real), ("generated_features", generated)):
        if len(array) <= k:
            raise ValueError(f"{name} needs more than k={k} rows to find each point's k-th neighbour, "
                             f"got {len(array)}; lower k or pass more samples.")
    # the (k + 1)-th neighbour of a point in its own set, the point itself being the first
    real_radii = nearest_neighbours(real, real, k=k + 1, batch_size=batch_size).distances[:, k]
    generated_radii = nearest_neighbours(generated, generated, k=k + 1, batch_size=batch_size).distances[:, k]
    precision = _inside_manifold(generated, real, real_radii, batch_size).mean()
    recall = _inside_manifold(real, generated, generated_radii, batch_size).mean()
    return PrecisionRecall(float(precision), float(recall))


# --------------------------------------------------------------------------- sliced Wasserstein distance

_BINOMIAL_5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0  # the 5-tap filter of Burt and Adelson (1983)


def _blur(images, taps):
    """Separable convolution of (N, H, W, C) with ``taps`` along H and W, mirrored edges (d c b | a b c d)."""
    radius = len(taps) // 2
    for axis in (1, 2):
        pad = [(0, 0)] * 4
        pad[axis] = (radius, radius)
        padded = np.pad(images, pad, mode="reflect")
        length = images.shape[axis]
        images = sum(weight * np.take(padded, np.arange(offset, offset + length), axis=axis)
                     for offset, weight in enumerate(taps))
    return images


def _pyramid_down(images):
    return _blur(images, _BINOMIAL_5)[:, ::2, ::2]


def _pyramid_up(images, shape):
    """Insert zeros between pixels, blur with 4 x the binomial filter, and crop to ``shape`` (H, W)."""
    n, height, width, channels = images.shape
    upsampled = np.zeros((n, 2 * height, 2 * width, channels), images.dtype)
    upsampled[:, ::2, ::2] = images
    return _blur(upsampled, 2.0 * _BINOMIAL_5)[:, :shape[0], :shape[1]]


def laplacian_pyramid(images, levels):
    """Laplacian pyramid of images (Burt and Adelson, 1983): band-pass levels, then the low-pass residual.

    With D = blur with the 5-tap binomial filter [1, 4, 6, 4, 1] / 16 and keep
    every second pixel, and U = insert zeros, blur with 4 x that filter:
    g_0 = x, g_{l+1} = D(g_l), and level l is g_l - U(g_{l+1}) for
    l < levels - 1, the last level g_{levels-1} itself. Edges are mirrored.
    :func:`collapse_laplacian_pyramid` inverts it exactly (up to rounding).

    Args:
        images: array (N, H, W, C).
        levels: number of levels (1 returns the images themselves).

    Returns:
        A list of float64 arrays, finest first: (N, H, W, C), (N, ceil(H/2), ceil(W/2), C), ...
    """
    current = np.asarray(images, np.float64)
    pyramid = []
    for _ in range(levels - 1):
        lower = _pyramid_down(current)
        pyramid.append(current - _pyramid_up(lower, current.shape[1:3]))
        current = lower
    pyramid.append(current)
    return pyramid


def collapse_laplacian_pyramid(pyramid):
    """Rebuild the images from their :func:`laplacian_pyramid`: x = level_0 + U(level_1 + U(...))."""
    images = pyramid[-1]
    for level in pyramid[-2::-1]:
        images = level + _pyramid_up(images, level.shape[1:3])
    return images


def _random_patches(level, patches_per_image, patch_size, rng):
    """``patches_per_image`` random patch_size x patch_size patches of each image, as (N * P, size, size, C)."""
    n, height, width, _ = level.shape
    half = patch_size // 2
    rows = rng.integers(half, height - half, size=(n, patches_per_image))
    cols = rng.integers(half, width - half, size=(n, patches_per_image))
    offsets = np.arange(-half, half + 1)
    image_index = np.arange(n)[:, None, None, None]
    patches = level[image_index, rows[:, :, None, None] + offsets[:, None],
                    cols[:, :, None, None] + offsets[None, :]]
    return patches.reshape(n * patches_per_image, patch_size, patch_size, level.shape[3]).astype(np.float32)


def _descriptors(images, levels, patches_per_image, patch_size, rng, batch_size=256):
    """Random patches of every pyramid level, built batch by batch: a list of (N * P, size, size, C)."""
    per_level = [[] for _ in range(levels)]
    for start in range(0, len(images), batch_size):
        for level, band in enumerate(laplacian_pyramid(images[start:start + batch_size], levels)):
            per_level[level].append(_random_patches(band, patches_per_image, patch_size, rng))
    return [np.concatenate(parts) for parts in per_level]


def _wasserstein1_sorted(sorted1, sorted2):
    """Exact W1 between the empirical distributions of each column of two column-sorted arrays.

    W1 = integral over t in (0, 1] of |F1^-1(t) - F2^-1(t)|; the quantile functions
    are step functions with steps at i / n1 and j / n2, so the integral is a weighted
    sum over the merged steps (the mean of |sorted1 - sorted2| when n1 = n2).
    """
    n1, n2 = len(sorted1), len(sorted2)
    if n1 == n2:
        return np.mean(np.abs(sorted1 - sorted2), axis=0, dtype=np.float64)
    steps = np.union1d(np.arange(1, n1 + 1) * n2, np.arange(1, n2 + 1) * n1)  # t = steps / (n1 n2)
    weights = np.diff(steps, prepend=0) / (n1 * n2)
    rows1, rows2 = (steps + n2 - 1) // n2 - 1, (steps + n1 - 1) // n1 - 1
    return weights @ np.abs(sorted1[rows1] - sorted2[rows2]).astype(np.float64)


def sliced_wasserstein_distance(images1, images2, patch_size=7, patches_per_image=128, directions=128,
                                repeats=4, min_resolution=16, seed=0):
    """Sliced Wasserstein distance between the patch distributions of two image sets, per pyramid level.

    The SWD of Karras et al. (2018, "Progressive growing of GANs for improved
    quality, stability, and variation", section 5 and appendix D; Rabin et al.,
    2011): each image is split into a :func:`laplacian_pyramid` with levels of
    side H, H/2, ... down to the last side >= ``min_resolution`` (64 x 64:
    levels 64, 32, 16; the coarsest level is low-pass and carries the colours).
    From each level of each image ``patches_per_image`` random
    ``patch_size`` x ``patch_size`` patches are taken (the descriptors), and
    each channel is normalised to zero mean and unit standard deviation over
    the patches of ``images1`` at that level. For each level

    $$ \\mathrm{SWD} = \\frac{1}{R} \\sum_{r=1}^{R} \\frac{1}{\\lvert\\Theta_r\\rvert} \\sum_{\\theta \\in \\Theta_r}
        W_1\\big(\\theta^\\top P_1,\\; \\theta^\\top P_2\\big) $$

    the Wasserstein-1 distance between the 1D projections of the two patch
    sets on random unit directions theta, averaged over ``repeats`` rounds of
    ``directions`` directions (the reference code: 4 rounds of 128, the
    paper's 512 projections). Lower is better; identical sets give 0 and two
    samples of one distribution a small positive value that shrinks with N.
    Karras et al. report the values multiplied by 1,000; these are not.

    Deliberate difference from the reference code: it normalises each set with
    its own statistics, which makes every level blind to a per-channel affine
    change (a colour cast, a faded or over-saturated copy). Here both sets
    share the statistics of ``images1``, so such a change shows at the
    coarsest level; pass the real images as ``images1``. The two sets may
    differ in size: W1 of the projections is computed exactly from the two
    quantile functions.

    No network is needed, so it works for any images: grey or colour, any
    square or rectangular size with H, W >= 16 (the patches of both sets must
    have the same shape, so both sets must have the same size and channels).

    Args:
        images1: the reference images (N1, H, W, C), C = 1 or 3, values in [-1, 1].
        images2: the images to compare (N2, H, W, C).
        patch_size: side of the patches (odd).
        patches_per_image: patches drawn per image and level.
        directions: random directions per round.
        repeats: rounds.
        min_resolution: the coarsest level kept has side >= this.
        seed: seed of the patch positions and directions (deterministic for a seed).

    Returns:
        A :class:`SlicedWasserstein`: ``distances`` per level (finest first), their ``mean``, and
        the level ``resolutions``.

    Raises:
        ValueError: for images that are not (N, H, W, 1 or 3) in [-1, 1], smaller than
            ``min_resolution`` or than a patch, of different shapes, or for bad settings.
    """
    patch_size = positive_int("patch_size", patch_size)
    if patch_size % 2 == 0:
        raise ValueError(f"patch_size must be odd (a patch has a centre pixel), got {patch_size}.")
    patches_per_image = positive_int("patches_per_image", patches_per_image)
    directions = positive_int("directions", directions)
    repeats = positive_int("repeats", repeats)
    min_resolution = positive_int("min_resolution", min_resolution)
    if min_resolution < patch_size:
        raise ValueError(f"min_resolution ({min_resolution}) must be at least patch_size ({patch_size}).")
    return _sliced_wasserstein_distances(images1, [images2], patch_size, patches_per_image, directions, repeats,
                                         min_resolution, _check_seed(seed))[0]


def _sliced_wasserstein_distances(images1, others, patch_size, patches_per_image, directions, repeats,
                                  min_resolution, seed):
    """:func:`sliced_wasserstein_distance` from ``images1`` to each array in ``others``.

    The patches of ``images1`` and their projections are computed once. Each
    set draws its patch positions from its own generator seeded from ``seed``
    (images1 from one, every other set from a second one, restarted), and the
    directions come from a third, so every result equals the one of a single
    call with the same seed.
    """
    images1 = _check_color_images(images1, "images1", min_resolution)
    others = [_check_color_images(images2, "images2", min_resolution) for images2 in others]
    for images2 in others:
        if images1.shape[1:] != images2.shape[1:]:
            raise ValueError(f"images1 and images2 must have the same image shape, got {images1.shape[1:]} and "
                             f"{images2.shape[1:]}; resize one set first.")
    resolutions = []
    side = min(images1.shape[1:3])
    while side >= min_resolution:
        resolutions.append(side)
        side = (side + 1) // 2
    patch_seed1, patch_seed2, direction_seed = np.random.SeedSequence(seed).spawn(3)
    descriptors1 = _descriptors(images1, len(resolutions), patches_per_image, patch_size,
                                np.random.default_rng(patch_seed1))
    descriptors2 = [_descriptors(images2, len(resolutions), patches_per_image, patch_size,
                                 np.random.default_rng(patch_seed2)) for images2 in others]
    direction_rng = np.random.default_rng(direction_seed)
    distances = np.zeros((len(others), len(resolutions)))
    for level, patches1 in enumerate(descriptors1):
        mean = patches1.mean(axis=(0, 1, 2), dtype=np.float64).astype(np.float32)
        std = patches1.std(axis=(0, 1, 2), dtype=np.float64)
        std = np.where(std > 0, std, 1.0).astype(np.float32)
        flat1 = ((patches1 - mean) / std).reshape(len(patches1), -1)
        flat2 = [((descriptors[level] - mean) / std).reshape(len(descriptors[level]), -1)
                 for descriptors in descriptors2]
        for _ in range(repeats):
            theta = direction_rng.standard_normal((flat1.shape[1], directions))
            theta = (theta / np.linalg.norm(theta, axis=0, keepdims=True)).astype(np.float32)
            projected1 = np.sort(flat1 @ theta, axis=0)
            for other, flat in enumerate(flat2):
                projected2 = np.sort(flat @ theta, axis=0)
                distances[other, level] += float(np.mean(_wasserstein1_sorted(projected1, projected2))) / repeats
    return [SlicedWasserstein(row, float(row.mean()), tuple(resolutions)) for row in distances]


# --------------------------------------------------------------------------- nearest neighbours


def _as_rows(array, name):
    array = np.asarray(array)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a real-valued numeric array, got dtype {array.dtype}.")
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (N, ...) (images or vectors), "
                         f"got shape {array.shape}.")
    array = array.reshape(len(array), -1).astype(np.float32, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return array


def nearest_neighbours(queries, references, k=1, features=None, batch_size=256, reference_chunk=4096):
    """The k nearest references of each query in Euclidean (L2) distance, in pixel or feature space.

    $$ d(q, r) = \\lVert \\phi(q) - \\phi(r) \\rVert_2 $$

    with phi the identity (pixels, flattened) or the callable ``features``
    (e.g. ``lambda x: classifier_features(x, "paintings")``). Candidates are found with
    ``|q|^2 + |r|^2 - 2 q.r`` in float32, block by block (``batch_size`` queries
    against ``reference_chunk`` references, so memory stays bounded), and the
    distances of the best candidates are then recomputed directly in float64,
    so a copy has distance 0 up to float32 storage of the images.

    Args:
        queries: array (N, ...), e.g. images (N, H, W, C).
        references: array (M, ...) with the same trailing shape, M >= k.
        k: neighbours per query.
        features: None for pixel space, or a callable mapping an image array to
            (N, D) features, applied to both sets.
        batch_size: queries per block.
        reference_chunk: references per block.

    Returns:
        A :class:`Neighbours` with ``distances`` (N, k) in increasing order and ``indices`` (N, k).

    Raises:
        ValueError: for empty, non-numeric or non-finite arrays, different trailing shapes, or a bad ``k``.
    """
    k = positive_int("k", k)
    batch_size = positive_int("batch_size", batch_size)
    reference_chunk = positive_int("reference_chunk", reference_chunk)
    if features is not None:
        queries, references = features(queries), features(references)
    queries = _as_rows(queries, "queries")
    references = _as_rows(references, "references")
    if queries.shape[1] != references.shape[1]:
        raise ValueError(f"queries and references must have the same shape per item, got "
                         f"{queries.shape[1]} and {references.shape[1]} values per item.")
    if k > len(references):
        raise ValueError(f"k={k} asks for more neighbours than the {len(references)} references.")
    candidates = min(len(references), k + 4)  # a margin for float32 rounding near ties
    reference_norms = np.einsum("ij,ij->i", references, references, dtype=np.float64).astype(np.float32)
    all_distances, all_indices = [], []
    for start in range(0, len(queries), batch_size):
        batch = queries[start:start + batch_size]
        best_scores = np.full((len(batch), 0), np.inf, np.float32)
        best_indices = np.zeros((len(batch), 0), np.int64)
        for chunk_start in range(0, len(references), reference_chunk):
            chunk = references[chunk_start:chunk_start + reference_chunk]
            scores = reference_norms[chunk_start:chunk_start + len(chunk)] - 2.0 * (batch @ chunk.T)
            keep = min(candidates, len(chunk))
            part = np.argpartition(scores, keep - 1, axis=1)[:, :keep]
            best_scores = np.concatenate([best_scores, np.take_along_axis(scores, part, axis=1)], axis=1)
            best_indices = np.concatenate([best_indices, part + chunk_start], axis=1)
            if best_scores.shape[1] > candidates:
                part = np.argpartition(best_scores, candidates - 1, axis=1)[:, :candidates]
                best_scores = np.take_along_axis(best_scores, part, axis=1)
                best_indices = np.take_along_axis(best_indices, part, axis=1)
        exact = np.empty(best_indices.shape)
        for column in range(best_indices.shape[1]):
            difference = batch.astype(np.float64) - references[best_indices[:, column]]
            exact[:, column] = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        order = np.argsort(exact, axis=1, kind="stable")[:, :k]
        all_distances.append(np.take_along_axis(exact, order, axis=1))
        all_indices.append(np.take_along_axis(best_indices, order, axis=1))
    return Neighbours(np.concatenate(all_distances), np.concatenate(all_indices))


def memorisation_check(samples, training_crops, fresh_real_crops, k=3, features=None, quantile=0.01,
                       batch_size=256):
    """Do generated samples sit closer to the training crops than new real crops do?

    For each sample, its distance to the nearest training crop,
    ``d(x) = min_j ||x - t_j||`` (:func:`nearest_neighbours`, pixels or
    ``features``); the baseline is the same distance for fresh real crops, cut
    from the same paintings with another seed: how close a genuinely new image
    of the data falls to the training set. The rule: a sample is *flagged* when
    its distance is below the ``quantile`` (1%) of the fresh crops' distances.
    If the samples were as new as fresh real crops, about ``quantile`` of them
    would be flagged (that is how the threshold is defined, so the fresh crops
    themselves score it); a fraction well above it means samples closer to
    the training set than real data comes, i.e. copies or near-copies. The
    medians compare the bulk of the two distributions; the neighbour indices let
    a figure show each (flagged) sample beside its nearest training crops.

    Pixel distance finds exact and near-exact copies but not a copy shifted by
    a few pixels or re-assembled from pieces: of three 64 x 64 training crops
    of the paintings rolled by 3 pixels, none was flagged (distances 38, 45
    and 6.3 against a threshold of 5.1 and a fresh median of 37, with 2,000
    training and 500 fresh crops). The painting classifier's features
    (painting-classifier features) did not flag them either: they also call
    two different crops of one painting close. Look at the figure of the
    nearest neighbours as well as at the numbers.
    Fresh crops overlap training crops (both are cut from eight paintings), so
    their distances are small too: that is the floor a generator is held to.

    Args:
        samples: generated images (N, H, W, C).
        training_crops: the crops the GAN was trained on (M, H, W, C).
        fresh_real_crops: real crops not in the training set (F, H, W, C), F >= 1 / quantile
            for a meaningful threshold (a few hundred or more).
        k: nearest training crops kept per sample (for the figure).
        features: None (pixels) or a callable images -> (N, D) features.
        quantile: the quantile of the fresh distances that is the threshold, in (0, 1).
        batch_size: queries per block (memory).

    Returns:
        A :class:`Memorisation` record.

    Raises:
        ValueError: for arrays that do not match, a bad ``k`` or ``quantile``.
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}.")
    samples_found = nearest_neighbours(samples, training_crops, k=k, features=features, batch_size=batch_size)
    fresh_found = nearest_neighbours(fresh_real_crops, training_crops, k=1, features=features,
                                     batch_size=batch_size)
    sample_distances = samples_found.distances[:, 0]
    fresh_distances = fresh_found.distances[:, 0]
    threshold = float(np.quantile(fresh_distances, quantile))
    flagged = sample_distances < threshold
    return Memorisation(sample_distances, samples_found.indices, samples_found.distances, fresh_distances,
                        threshold, flagged, float(flagged.mean()), float(quantile),
                        float(np.median(sample_distances)), float(np.median(fresh_distances)))


# --------------------------------------------------------------------------- paintings: the classifier's scores

PAINTING_REFERENCE_N = 2000
PAINTING_REFERENCE_SEED = 2  # the seeds of the reference crops and of the fresh crops of the floor;
PAINTING_FLOOR_SEED = 3  # scripts/train_painting_classifier.py trains with seed 0 and tests with seed 1

_painting_reference = {}  # reference features by their cache key, kept in memory after the first call


def _painting_choice(painting):
    """(source for random_crops, name for cache keys, class index or None) for None, an index or a key."""
    from ganlab.datasets import Painting, paintings
    from ganlab.datasets import painting as painting_by_key

    everything = paintings()
    if painting is None:
        return "paintings", "all", None
    if isinstance(painting, Painting):
        painting = painting.key
    if isinstance(painting, (int, np.integer)) and not isinstance(painting, bool):
        if not 0 <= painting < len(everything):
            raise ValueError(f"painting index {painting} is out of range; use 0 to {len(everything) - 1} "
                             f"({', '.join(f'{i} {p.key}' for i, p in enumerate(everything))}) or None for all.")
        painting = everything[int(painting)].key
    if not isinstance(painting, str):
        raise ValueError(f"painting must be None, an index 0 to {len(everything) - 1} or a key such as "
                         f"'starry_night', got {painting!r}.")
    chosen = painting_by_key(painting)  # ValueError listing the keys for an unknown one
    return chosen.key, chosen.key, [p.key for p in everything].index(chosen.key)


def painting_crop_features(painting=None, size=64, n=PAINTING_REFERENCE_N,
                           scale=PAINTING_CROP_SCALE, seed=PAINTING_REFERENCE_SEED):
    """Painting-classifier features of ``n`` real crops, computed once and cached on disk and in memory.

    The crops are ``ganlab.datasets.random_crops(source, n, size, scale=scale,
    seed=seed)`` of one painting or of all eight (drawn uniformly among the
    paintings), scored by the painting classifier's features
    (``classifier_features(crops, "paintings")``, so resized to 64 x 64 as
    samples of that size are). They are kept in ``ganlab.cache_dir()`` under
    a name that holds the first 16 hex digits of the weights' SHA-256, the
    painting, size, n, scale and seed, and a digest of the pixels of the
    first four crops (so a changed painting file or crop method is seen too):
    a change of any of them never reuses stale features.

    Args:
        painting: None (all eight), an index 0-7 or a key such as ``"starry_night"``.
        size: side of the crops (16 to 256, a power of two).
        n: number of crops.
        scale: (low, high) crop side as a share of the painting's shorter side.
        seed: seed of the crops; ``PAINTING_REFERENCE_SEED`` for the reference
            and ``PAINTING_FLOOR_SEED`` for the fresh crops of the floor.

    Returns:
        float32 array (n, 128).

    Raises:
        ValueError: for an unknown painting, or a size, n or scale that ``random_crops`` refuses.
    """
    from ganlab.datasets import random_crops

    source, name, _ = _painting_choice(painting)
    n = positive_int("n", n)
    try:
        low, high = (float(value) for value in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a pair (low, high) of crop sides as shares of the painting's shorter "
                         f"side, such as {PAINTING_CROP_SCALE}, got {scale!r}.") from None
    probe = random_crops(source, min(n, 4), size, scale=(low, high), seed=seed)
    crops_digest = hashlib.sha256(np.ascontiguousarray(probe).tobytes()).hexdigest()[:8]
    key = (f"{weights_sha256('paintings')[:16]}_{name}_{int(size)}px_n{n}_scale{low:g}-{high:g}_seed{seed}"
           f"_crops{crops_digest}")
    def compute():
        crops = random_crops(source, n, size, scale=(low, high), seed=seed)
        return dict(features=classifier_features(crops, "paintings").astype(np.float32))

    return _cached_npz(_painting_reference, f"painting_features_{key}.npz", compute, ("features",),
                       valid=lambda arrays: arrays["features"].shape == (n, FEATURES))["features"]


def evaluate_paintings(samples, painting=None, n=None, scale=PAINTING_CROP_SCALE, reference_n=PAINTING_REFERENCE_N,
                       swd=False):
    """Score colour samples against real crops of one painting or all eight, with the real-crop floors.

    All numbers but SWD use the painting classifier (``ganlab.classifier``, ``"paintings"``),
    whose 128 features play Inception's part:

    - ``fid``: Fréchet distance (:func:`frechet_distance_from_statistics`) from
      the samples' features to those of ``reference_n`` real crops of the asked
      painting (or of all eight, drawn uniformly), cut at the samples' size and
      ``scale`` with seed ``PAINTING_REFERENCE_SEED`` and cached
      (:func:`painting_crop_features`).
    - ``fid_floor``: the same for N fresh real crops (seed
      ``PAINTING_FLOOR_SEED``, N = the number of samples): what a perfect
      generator would score at this N. FID is biased upwards at small N, so
      judge a model by fid / fid_floor at one N.
    - ``kid``, ``kid_floor``: KID (:func:`kernel_distance_from_features`,
      100 subsets of up to 1,000) of the samples and of the fresh crops
      against the same reference; unbiased, about 0 for real crops.
    - ``share`` (only when a painting is asked for): the fraction of samples
      the classifier assigns to it (arg max p(painting | x)).
    - ``histogram``: the fraction of samples assigned to each of the eight paintings.
    - ``swd``, ``swd_floor`` (with ``swd=True``): the mean over levels of
      :func:`sliced_wasserstein_distance` from the reference crops (cut again)
      to the samples and to the fresh crops; needs no network.

    A share alone proves little: the classifier has only ever seen paintings,
    so anything else lands in some class, often confidently. Uniform noise in
    [-1, 1] goes 99.9% to The Starry Night (mean top probability 0.99),
    Gaussian noise of standard deviation 0.3 100% to Woman with a Hat, a flat
    grey image to Udnie; and a generator that paints only one motif of a
    painting (the sky of the Starry Night, say) would still get a share near 1. Read the share together with FID
    or KID against the floor.

    Floors measured with the shipped weights by ``benchmarks/painting_floors.py``
    (64 x 64 crops, scale 0.11 to 0.6, reference N = 2,000 crops of seed 2;
    fresh crops of seed 3, the floor, and of seed 4, a second draw):

    ======================= ===== =============== ================== =============
    samples (all eight)       N   FID             KID                SWD
    ======================= ===== =============== ================== =============
    fresh crops, seeds 3; 4  1000 0.75; 0.47      0.0016; -0.0143    0.017; 0.014
    fresh crops, seeds 3; 4  2000 0.40; 0.60      -0.0070; 0.0128    0.013; 0.017
    uniform noise            1000 240             14.4               1.24
    Gaussian noise, std 0.3  1000 236             15.3               0.68
    flat grey                1000 937             989                0.71
    ======================= ===== =============== ================== =============

    Against all eight paintings the floor moves by a third between draws: the
    features cluster by painting, and how many crops of each painting a draw
    holds varies. Against one painting the FID floor at N = 1,000 is 0.06
    (great_wave, shipwreck) to 0.21 (udnie, woman_with_a_hat), the KID floor
    within 0.011 of 0, and 99.7% to 100% of fresh crops are assigned to their
    painting. FID values are small because the features are: only ratios to
    the floor and differences between models at one N mean something.

    Args:
        samples: generated images (N, S, S, 3) in [-1, 1], S a power of two from 16 to 256.
        painting: None (all eight), an index 0-7 (the order of :func:`ganlab.datasets.paintings`,
            the label of a conditional model) or a key such as ``"starry_night"``.
        n: use only the first ``n`` samples (None: all); N >= 2.
        scale: the crop scale the model was trained on (the reference crops are cut so).
        reference_n: number of real crops in the reference.
        swd: also compute the sliced Wasserstein distances (each a projection of 2,000 reference and
            N sample patch sets: 1 to 2 minutes for N = 1,000 at 64 x 64 on the shared 2-core machine).

    Returns:
        A dict of plain Python numbers, ready for ``json.dumps``: ``fid``, ``fid_floor``, ``kid``,
        ``kid_floor``, ``histogram`` (list of 8 floats), ``share`` (with a painting), ``swd`` and
        ``swd_floor`` (with ``swd=True``), and ``n`` and ``reference_n``.

    Raises:
        ValueError: for samples that are not (N, S, S, 3) in [-1, 1], 128 samples or fewer, a bad ``n``,
            an unknown painting, or a scale that the paintings cannot be cut at for this size.
    """
    source, _, index = _painting_choice(painting)
    samples = check_images(samples, "samples", "paintings")
    samples = samples[:_check_n(n, len(samples))]
    _check_fid_count(len(samples), FEATURES)
    _check_fid_count(positive_int("reference_n", reference_n), FEATURES, "reference crops")
    size, count = samples.shape[1], len(samples)
    reference = painting_crop_features(painting, size, reference_n, scale, PAINTING_REFERENCE_SEED).astype(np.float64)
    fresh = painting_crop_features(painting, size, count, scale, PAINTING_FLOOR_SEED).astype(np.float64)
    features, logits = features_and_logits(samples, "samples", "paintings")
    reference_statistics_ = feature_statistics(reference)
    results = {
        "fid": frechet_distance_from_statistics(*feature_statistics(features), *reference_statistics_),
        "fid_floor": frechet_distance_from_statistics(*feature_statistics(fresh), *reference_statistics_),
        "kid": kernel_distance_from_features(features, reference)[0],
        "kid_floor": kernel_distance_from_features(fresh, reference)[0],
    }
    assigned = np.argmax(logits, axis=1)
    histogram = np.bincount(assigned, minlength=logits.shape[1]) / count
    if index is not None:
        results["share"] = float(histogram[index])
    results["histogram"] = [float(value) for value in histogram]
    if swd:
        from ganlab.datasets import random_crops

        reference_crops = random_crops(source, reference_n, size, scale=scale, seed=PAINTING_REFERENCE_SEED)
        fresh_crops = random_crops(source, count, size, scale=scale, seed=PAINTING_FLOOR_SEED)
        to_samples, to_fresh = _sliced_wasserstein_distances(reference_crops, [samples, fresh_crops], 7, 128, 128, 4,
                                                             16, 0)
        results["swd"], results["swd_floor"] = to_samples.mean, to_fresh.mean
    results["n"] = count
    results["reference_n"] = reference_n
    return results


# The rulers of FID / floor: real crops changed in ways a viewer would hardly call a different picture.
NEARBY_VARIANTS = ("fresh crops", "half resolution", "brighter", "zoomed out")
NEARBY_SEED = 5  # not a seed of the reference (2), the floor (3) or the classifier's training (0) and test (1)


def nearby_real_crops(painting, n, size=64, scale=PAINTING_CROP_SCALE, seed=NEARBY_SEED):
    """Real crops of a painting, as they are and changed slightly: what a given FID / floor looks like.

    The ratio FID / floor of :func:`evaluate_paintings` has no natural unit: its
    floor is tiny, because the painting classifier's features of real crops of one
    painting sit close together. Score these sets like samples to read a ratio:

    - ``"fresh crops"``: ``n`` new real crops (seed ``seed``) at ``scale``: about 1;
    - ``"half resolution"``: the same crops averaged over 2 x 2 pixels and scaled
      back up bilinearly, a slight blur;
    - ``"brighter"``: the same crops with 0.1 added (5% of the range [-1, 1]), clipped;
    - ``"zoomed out"``: crops whose side is twice as large a share of the painting
      (``scale`` doubled, at most 1), scaled to the same ``size``: the right
      painting at another scale.

    A generator that painted any of these would look right to most viewers; the
    ratios they score say what "10 times the floor" demands.

    Args:
        painting: an index 0-7 or a key of :func:`ganlab.datasets.paintings` (not None: one painting).
        n: crops per set (more than 128 for FID).
        size: crop side in pixels, a power of two from 16 to 256.
        scale: (low, high), the crop scale the model was trained on.
        seed: seed of the crops.

    Returns:
        A dict from the names of :data:`NEARBY_VARIANTS` to float32 arrays (n, size, size, 3) in [-1, 1].

    Raises:
        ValueError: for ``painting=None``, a bad ``n``, ``size`` or ``scale``.
    """
    import keras

    from ganlab.datasets import random_crops

    if painting is None:
        raise ValueError("nearby_real_crops needs one painting (an index 0-7 or a key), got None.")
    source, _, _ = _painting_choice(painting)
    n = positive_int("n", n)
    low, high = (float(s) for s in scale)
    crops = random_crops(source, n, size, scale=(low, high), seed=seed)
    half = crops.reshape(n, size // 2, 2, size // 2, 2, 3).mean(axis=(2, 4))
    blurred = np.clip(keras.ops.convert_to_numpy(keras.ops.image.resize(half, (size, size), interpolation="bilinear")),
                      -1.0, 1.0)
    zoomed = random_crops(source, n, size, scale=(min(1.0, 2 * low), min(1.0, 2 * high)), seed=seed)
    return {"fresh crops": crops, "half resolution": blurred.astype(np.float32),
            "brighter": np.clip(crops + 0.1, -1.0, 1.0).astype(np.float32), "zoomed out": zoomed}
