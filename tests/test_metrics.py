"""Tests of ganlab.metrics against real MNIST digits and numbers computed in numpy / scipy."""

import json
import math

import numpy as np
import pytest
from scipy import linalg, ndimage

from ganlab import metrics
from ganlab.classifier import classifier_features, weights_sha256
from ganlab.datasets import grid_distribution, load_mnist, ring_distribution

PERFECT_HIGH_QUALITY = 1 - math.exp(-4.5)  # P(|x - c| <= 3 std) for an isotropic 2D Gaussian


@pytest.fixture(scope="module")
def train_digits():
    return load_mnist("train", limit=10_000)


def _kl_from_uniform(fractions):
    fractions = np.asarray(fractions, dtype=np.float64)
    fractions = fractions[fractions > 0]
    return float(np.sum(fractions * np.log(fractions * 10)))


# --------------------------------------------------------------------------- the classifier


# --------------------------------------------------------------------------- Fréchet distance


def _scipy_frechet(f1, f2):
    mu1, mu2 = f1.mean(axis=0), f2.mean(axis=0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    root = linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(root.real))


def test_frechet_distance_matches_scipy_sqrtm_on_gaussian_features():
    rng = np.random.default_rng(0)
    dim = 16
    f1 = rng.standard_normal((4000, dim)) @ (np.eye(dim) + 0.3 * rng.standard_normal((dim, dim))) + 0.2
    f2 = rng.standard_normal((3000, dim)) @ (1.5 * np.eye(dim) + 0.2 * rng.standard_normal((dim, dim))) - 0.1
    expected = _scipy_frechet(f1, f2)
    assert metrics.frechet_distance_from_features(f1, f2) == pytest.approx(expected, rel=1e-6)
    statistics = (f1.mean(0), np.cov(f1, rowvar=False), f2.mean(0), np.cov(f2, rowvar=False))
    assert metrics.frechet_distance_from_statistics(*statistics) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_of_diagonal_gaussians_has_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var1, var2 = np.array([4.0, 1.0, 9.0]), np.array([1.0, 1.0, 1.0])
    # |mu1 - mu2|^2 + sum (sqrt v1 - sqrt v2)^2 = (1 + 0 + 4) + (1 + 0 + 4) = 10
    got = metrics.frechet_distance_from_statistics(mu1, np.diag(var1), mu2, np.diag(var2))
    assert got == pytest.approx(10.0, rel=1e-12)


def test_frechet_distance_handles_singular_covariances():
    # Sigma1^(1/2) Sigma2 Sigma1^(1/2) = 0, so the distance is tr Sigma1 + tr Sigma2 = 1 + 4
    got = metrics.frechet_distance_from_statistics(np.zeros(3), np.diag([1.0, 0.0, 0.0]),
                                                   np.zeros(3), np.diag([0.0, 4.0, 0.0]))
    assert got == pytest.approx(5.0, rel=1e-12)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(1).standard_normal((50, 128))  # fewer samples than features
    assert metrics.frechet_distance_from_features(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_refuses_mismatched_features():
    with pytest.raises(ValueError, match="features"):
        metrics.frechet_distance_from_features(np.zeros((10, 4)), np.zeros((10, 5)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        metrics.frechet_distance_from_features(np.zeros((1, 4)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="symmetric"):
        metrics.frechet_distance_from_statistics(np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]),
                                                 np.zeros(2), np.eye(2))


def test_reference_statistics_are_cached_on_disk_by_weights_hash(test_split, monkeypatch):
    mu, sigma = metrics.reference_statistics()
    features = classifier_features(test_split[0])
    np.testing.assert_allclose(mu, features.mean(axis=0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(sigma, np.cov(features, rowvar=False), rtol=1e-6, atol=1e-9)
    cached = metrics.cache_dir() / f"mnist_test_features_{weights_sha256()[:16]}.npz"
    assert cached.is_file()

    def no_data(*args, **kwargs):
        raise AssertionError("the cached statistics should have been used")

    monkeypatch.setattr(metrics, "load_mnist", no_data)
    monkeypatch.setattr(metrics, "_reference_statistics", {})
    again_mu, again_sigma = metrics.reference_statistics()
    np.testing.assert_array_equal(again_mu, mu)
    np.testing.assert_array_equal(again_sigma, sigma)


# --------------------------------------------------------------------------- real digits


def test_real_train_digits_score_like_the_test_split(train_digits):
    images, labels = train_digits
    result = metrics.evaluate_images(images)
    assert result["fid"] < 2.0  # measured 1.29; light noise (0.1) on 2,000 digits gives about 5
    assert result["score"] > 9.0
    assert result["modes"] == 10
    # the predicted histogram is close to the (not quite uniform) label histogram
    label_kl = _kl_from_uniform(np.bincount(labels, minlength=10) / len(labels))
    assert result["kl"] == pytest.approx(label_kl, abs=0.005)
    assert result["kl"] < 0.02


def test_fid_grows_with_gaussian_noise(train_digits):
    images = train_digits[0][:2000]
    noise = np.random.default_rng(0).standard_normal(images.shape).astype(np.float32)
    fids = [metrics.frechet_distance(np.clip(images + strength * noise, -1, 1))
            for strength in (0.0, 0.1, 0.2, 0.4, 0.8)]
    assert np.all(np.diff(fids) > 0), fids
    assert fids[-1] > 10 * fids[0]


def test_fid_grows_with_blur(train_digits):
    images = train_digits[0][:2000]
    fids = [metrics.frechet_distance(images)]
    for sigma in (0.5, 1.0, 1.5, 2.5):
        blurred = ndimage.gaussian_filter(images, sigma=(0, sigma, sigma, 0), mode="constant", cval=-1.0)
        fids.append(metrics.frechet_distance(blurred))
    assert np.all(np.diff(fids) > 0), fids
    assert fids[-1] > 10 * fids[0]


def test_frechet_distance_uses_the_first_n_samples(train_digits):
    images = train_digits[0]
    assert metrics.frechet_distance(images, n=500) == pytest.approx(metrics.frechet_distance(images[:500]))
    with pytest.raises(ValueError, match="n=20000"):
        metrics.frechet_distance(images, n=20_000)


def test_frechet_distance_against_a_given_reference(train_digits, test_split):
    fid = metrics.frechet_distance(train_digits[0][:1000], reference=test_split[0][:1000])
    expected = metrics.frechet_distance_from_features(classifier_features(train_digits[0][:1000]),
                                                      classifier_features(test_split[0][:1000]))
    assert fid == pytest.approx(expected, rel=1e-9)


def test_one_digit_gives_one_mode_and_kl_log_ten(test_split):
    images, labels = test_split
    ones = images[labels == 1]
    coverage = metrics.mode_coverage(ones)
    assert coverage.modes == 1
    assert np.argmax(coverage.counts) == 1
    assert coverage.counts.sum() == len(ones)
    assert coverage.kl == pytest.approx(math.log(10), abs=0.03)
    assert metrics.classifier_score(ones) < 1.1


def test_mode_coverage_from_labels_matches_hand_computation():
    labels = np.array([0] * 50 + [1] * 48 + [2] * 2)
    coverage = metrics.mode_coverage_from_labels(labels)
    np.testing.assert_array_equal(coverage.counts, [50, 48, 2, 0, 0, 0, 0, 0, 0, 0])
    assert coverage.modes == 3
    assert coverage.kl == pytest.approx(0.5 * math.log(5) + 0.48 * math.log(4.8) + 0.02 * math.log(0.2), rel=1e-12)
    assert metrics.mode_coverage_from_labels(labels, min_fraction=0.03).modes == 2
    single = metrics.mode_coverage_from_labels(np.full(30, 7))
    assert (single.modes, single.kl) == (1, pytest.approx(math.log(10), rel=1e-12))


def test_classifier_score_matches_hand_computation():
    assert metrics.classifier_score_from_probabilities(np.eye(10)) == pytest.approx(10.0, rel=1e-12)
    assert metrics.classifier_score_from_probabilities(np.full((5, 10), 0.1)) == pytest.approx(1.0, rel=1e-12)
    # p(y) = (0.75, 0.25); KL_1 = log(4/3), KL_2 = 0.5 log(2/3) + 0.5 log 2
    expected = math.exp((math.log(4 / 3) + 0.5 * math.log(2 / 3) + 0.5 * math.log(2)) / 2)
    got = metrics.classifier_score_from_probabilities(np.array([[1.0, 0.0], [0.5, 0.5]]))
    assert got == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- 2D toy data


def _points_at(distribution, modes, per_mode, spread=0.5, seed=0):
    rng = np.random.default_rng(seed)
    centres = distribution.centres[np.repeat(modes, per_mode)]
    return centres + spread * distribution.std * rng.standard_normal(centres.shape)


def test_exact_ring8_samples_cover_all_modes_with_high_quality():
    ring = ring_distribution()
    result = metrics.toy_metrics(ring.sample(2500, seed=0), "ring8")
    assert result.modes == 8
    assert result.high_quality == pytest.approx(PERFECT_HIGH_QUALITY, abs=0.01)
    assert result.kl < 0.01


def test_ring8_samples_from_three_modes_give_three_modes():
    ring = ring_distribution()
    result = metrics.toy_metrics(_points_at(ring, [0, 3, 5], 100), ring)
    assert result.modes == 3
    assert result.high_quality == 1.0
    np.testing.assert_array_equal(result.counts, [100, 0, 0, 100, 0, 100, 0, 0])
    assert result.kl == pytest.approx(math.log(8 / 3), rel=1e-12)


def test_grid25_exact_samples_and_three_modes():
    grid = grid_distribution()
    exact = metrics.toy_metrics(grid.sample(5000, seed=1), "grid25")
    assert exact.modes == 25
    assert exact.high_quality == pytest.approx(PERFECT_HIGH_QUALITY, abs=0.01)
    three = metrics.toy_metrics(_points_at(grid, [0, 12, 24], 50), "grid25")
    assert (three.modes, three.high_quality) == (3, 1.0)
    assert three.kl == pytest.approx(math.log(25 / 3), rel=1e-12)


def test_toy_kl_of_unbalanced_modes_matches_hand_computation():
    ring = ring_distribution()
    result = metrics.toy_metrics(_points_at(ring, [0, 1], [30, 10]), ring)
    assert result.kl == pytest.approx(0.75 * math.log(6) + 0.25 * math.log(2), rel=1e-12)


def test_high_quality_means_within_three_std():
    ring = ring_distribution()
    centre, std = ring.centres[2], ring.std
    points = np.stack([centre + [2.9 * std, 0.0], centre + [0.0, 3.1 * std], [0.0, 0.0]])
    result = metrics.toy_metrics(points, ring)
    assert result.modes == 1
    assert result.high_quality == pytest.approx(1 / 3)
    np.testing.assert_array_equal(result.counts, [0, 0, 1, 0, 0, 0, 0, 0])


def test_points_far_from_every_mode_give_zero_modes_and_kl_log_k():
    result = metrics.toy_metrics(np.zeros((20, 2)), "ring8")
    assert (result.modes, result.high_quality) == (0, 0.0)
    assert result.kl == pytest.approx(math.log(8))


def test_min_samples_raises_the_bar_for_a_covered_mode():
    ring = ring_distribution()
    points = _points_at(ring, [0, 1], [100, 5])
    assert metrics.toy_metrics(points, ring).modes == 2
    assert metrics.toy_metrics(points, ring, min_samples=10).modes == 1


def test_toy_metrics_refuses_bad_input():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        metrics.toy_metrics(np.zeros((5, 3)), "ring8")
    with pytest.raises(ValueError, match="unknown toy data set"):
        metrics.toy_metrics(np.zeros((5, 2)), "ring9")
    with pytest.raises(ValueError, match="NaN"):
        metrics.toy_metrics(np.array([[0.0, np.nan]]), "ring8")


# --------------------------------------------------------------------------- files


def test_evaluate_file_scores_images(tmp_path, test_split):
    path = tmp_path / "digits.npz"
    np.savez(path, samples=test_split[0][:300])
    result = metrics.evaluate_file(path, n=200)
    assert set(result) == {"fid", "score", "modes", "kl"}
    json.dumps(result)
    assert isinstance(result["modes"], int)
    assert result["fid"] == pytest.approx(metrics.frechet_distance(test_split[0][:200]), rel=1e-9)
    assert result["score"] == pytest.approx(metrics.classifier_score(test_split[0][:200]), rel=1e-9)


def test_evaluate_file_scores_points_against_the_named_distribution(tmp_path):
    path = tmp_path / "points.npz"
    np.savez(path, samples=grid_distribution().sample(1000, seed=0))
    result = metrics.evaluate_file(path, distribution="grid25")
    assert set(result) == {"modes", "high_quality", "kl"}
    assert result["modes"] == 25
    # the default ring8: only its 4 centres on the axes, (+-2, 0) and (0, +-2), are grid points
    assert metrics.evaluate_file(path)["modes"] == 4


@pytest.mark.parametrize("samples, message", [
    (np.zeros((10, 3), np.float32), r"shape \(10, 3\)"),
    (np.zeros((10, 32, 32, 3), np.float32), r"shape \(10, 32, 32, 3\)"),
    (np.full((10, 28, 28, 1), 255.0, np.float32), r"\[-1, 1\]"),
    (np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
    (np.full((10, 28, 28), np.nan, np.float32), "NaN"),
])
def test_evaluate_file_refuses_bad_samples(tmp_path, samples, message):
    path = tmp_path / "bad.npz"
    np.savez(path, samples=samples)
    with pytest.raises(ValueError, match=message):
        metrics.evaluate_file(path)


def test_evaluate_file_names_the_keys_it_found(tmp_path):
    path = tmp_path / "wrong_key.npz"
    np.savez(path, images=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"no array named 'samples' .*\['images'\]"):
        metrics.evaluate_file(path)


def test_evaluate_file_refuses_missing_and_non_npz_files(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        metrics.evaluate_file(tmp_path / "missing.npz")
    text = tmp_path / "notes.npz"
    text.write_text("not an archive")
    with pytest.raises(ValueError, match="not a readable .npz"):
        metrics.evaluate_file(text)
    array = tmp_path / "array.npy"
    np.save(array, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="not an .npz archive"):
        metrics.evaluate_file(array)


def test_evaluate_file_refuses_n_beyond_the_samples(tmp_path):
    path = tmp_path / "points.npz"
    np.savez(path, samples=np.zeros((5, 2)))
    with pytest.raises(ValueError, match="n=6"):
        metrics.evaluate_file(path, n=6)


# --------------------------------------------------------------------------- during training


