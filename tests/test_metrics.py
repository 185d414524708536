"""Tests of ganlab.metrics against real MNIST digits and numbers computed in numpy / scipy."""

import json
import math

import numpy as np
import pytest
from scipy import linalg, ndimage

from ganlab import classifier, metrics
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
    # to a millionth of the largest entry: the cache may come from another process whose classifier
    # rounds differently (CI's lanes run TensorFlow on one thread; the cache was made on two), and a
    # covariance entry near zero differs there by 1e-8, three millionths of itself
    np.testing.assert_allclose(mu, features.mean(axis=0), rtol=1e-6, atol=1e-6 * np.abs(mu).max())
    np.testing.assert_allclose(sigma, np.cov(features, rowvar=False), rtol=1e-6, atol=1e-6 * np.abs(sigma).max())
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
    (np.zeros((10, 32, 32, 2), np.float32), r"shape \(10, 32, 32, 2\)"),
    (np.zeros((10, 48, 48, 3), np.float32), r"\(N, S, S, 3\) with S in \(16, 32, 64, 128, 256\)"),
    (np.full((10, 32, 32, 3), 255.0, np.float32), r"\[-1, 1\]"),
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


# =========================================================================== colour art


def _smooth_images(n, size=32, channels=3, seed=0):
    """Smooth random colour images in [-1, 1]: 8 x 8 noise blown up and blurred."""
    rng = np.random.default_rng(seed)
    coarse = rng.standard_normal((n, size // 4, size // 4, channels))
    images = ndimage.gaussian_filter(np.kron(coarse, np.ones((1, 4, 4, 1))), sigma=(0, 1.5, 1.5, 0))
    return np.tanh(images).astype(np.float32)


# --------------------------------------------------------------------------- KID


def test_polynomial_kernel_is_cubic_in_the_scaled_dot_product():
    # x . y = 3 - 2 = 1, d = 2: (1 / 2 + 1)^3 = 3.375; x . x = 5: (5 / 2 + 1)^3 = 42.875
    kernel = metrics.polynomial_kernel(np.array([[1.0, 2.0]]), np.array([[3.0, -1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(kernel, [[3.375, 42.875]])


def test_unbiased_mmd2_matches_explicit_loops_on_a_tiny_example():
    x = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5], [2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    y = np.array([[1.0, 1.0, 1.0], [-1.0, 0.0, 2.0], [0.0, 2.0, -0.5], [3.0, -1.0, 1.0], [0.0, 0.0, 0.0]])

    def k(a, b):
        return (sum(ai * bi for ai, bi in zip(a, b)) / 3 + 1) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    assert metrics.unbiased_mmd2(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kernel_distance_with_subsets_as_large_as_the_sets_is_the_full_estimate():
    rng = np.random.default_rng(0)
    f1, f2 = rng.standard_normal((30, 4)), rng.standard_normal((20, 4)) + 0.5
    mean, std = metrics.kernel_distance_from_features(f1, f2, subsets=3, subset_size=20)
    # 20 of the 30 rows of f1 are drawn per round, all 20 of f2: rounds differ
    assert std > 0
    mean, std = metrics.kernel_distance_from_features(f1[:20], f2, subsets=3, subset_size=50)
    assert mean == pytest.approx(metrics.unbiased_mmd2(f1[:20], f2), rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_kernel_distance_is_about_zero_for_one_distribution_and_can_be_negative():
    rng = np.random.default_rng(1)
    same = [metrics.kernel_distance_from_features(rng.standard_normal((200, 8)), rng.standard_normal((200, 8)),
                                                  subsets=5, subset_size=200, seed=seed)[0] for seed in range(6)]
    shifted = metrics.kernel_distance_from_features(rng.standard_normal((200, 8)),
                                                    rng.standard_normal((200, 8)) + 0.5, subsets=5, subset_size=200)[0]
    assert max(abs(value) for value in same) < 0.1
    assert min(same) < 0  # unbiased: it scatters around 0
    assert shifted > 10 * max(abs(value) for value in same)


def test_kernel_distance_is_reproducible_for_a_seed():
    rng = np.random.default_rng(2)
    f1, f2 = rng.standard_normal((50, 4)), rng.standard_normal((60, 4))
    first = metrics.kernel_distance_from_features(f1, f2, subsets=4, subset_size=10, seed=7)
    assert metrics.kernel_distance_from_features(f1, f2, subsets=4, subset_size=10, seed=7) == first


@pytest.mark.parametrize("settings, message", [({"subsets": 0}, "subsets"), ({"subset_size": 1}, "subset_size"),
                                               ({"seed": -1}, "seed")])
def test_kernel_distance_refuses_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        metrics.kernel_distance_from_features(np.zeros((5, 2)), np.ones((5, 2)), **settings)


def test_kernel_distance_refuses_features_of_different_widths():
    with pytest.raises(ValueError, match="features per sample"):
        metrics.kernel_distance_from_features(np.zeros((5, 2)), np.zeros((5, 3)))


# --------------------------------------------------------------------------- sliced Wasserstein distance


@pytest.mark.parametrize("shape", [(3, 64, 64, 3), (2, 37, 40, 1)])
def test_laplacian_pyramid_collapses_back_to_the_image(shape):
    images = np.random.default_rng(0).uniform(-1, 1, shape)
    pyramid = metrics.laplacian_pyramid(images, 4)
    assert [level.shape[1:3] for level in pyramid][:2] == [shape[1:3], (-(-shape[1] // 2), -(-shape[2] // 2))]
    np.testing.assert_allclose(metrics.collapse_laplacian_pyramid(pyramid), images, rtol=0, atol=1e-13)


def test_laplacian_pyramid_of_a_constant_image_is_zero_except_the_residual():
    pyramid = metrics.laplacian_pyramid(np.full((1, 32, 32, 3), 0.25), 3)
    np.testing.assert_allclose(pyramid[0], 0.0, atol=1e-15)
    np.testing.assert_allclose(pyramid[1], 0.0, atol=1e-15)
    np.testing.assert_allclose(pyramid[2], 0.25, atol=1e-15)


def test_laplacian_pyramid_downsamples_with_the_binomial_filter():
    delta = np.zeros((1, 16, 16, 1))
    delta[0, 8, 8, 0] = 1.0
    low = metrics.laplacian_pyramid(delta, 2)[1][0, :, :, 0]
    # [1, 4, 6, 4, 1] / 16 along each axis: the centre keeps 6 * 6 / 256, two pixels away 6 * 1 / 256
    assert low[4, 4] == pytest.approx(36 / 256)
    assert low[4, 5] == pytest.approx(6 / 256)
    assert low[5, 5] == pytest.approx(1 / 256)
    assert low.sum() == pytest.approx(36 / 256 + 4 * 6 / 256 + 4 / 256)


def test_wasserstein_of_sorted_projections_matches_scipy_for_unequal_sizes():
    from scipy import stats

    # by hand: uniform on {0, 1} against uniform on {0, 1, 2} differ by 1 on t in (1/3, 1/2] and (2/3, 1]
    hand = metrics._wasserstein1_sorted(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0], [2.0]]))
    assert hand[0] == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    a, b = np.sort(rng.standard_normal((37, 3)), axis=0), np.sort(rng.standard_normal((50, 3)) + 0.3, axis=0)
    expected = [stats.wasserstein_distance(a[:, j], b[:, j]) for j in range(3)]
    np.testing.assert_allclose(metrics._wasserstein1_sorted(a, b), expected, rtol=1e-12)


def test_sliced_wasserstein_is_small_for_one_set_and_large_against_a_colour_cast():
    images = _smooth_images(128, size=32, seed=0)
    same = metrics.sliced_wasserstein_distance(images, images, patches_per_image=32, directions=32)
    other = metrics.sliced_wasserstein_distance(images, _smooth_images(128, size=32, seed=1), patches_per_image=32,
                                                directions=32)
    cast = np.clip(images + np.float32([0.3, 0.0, -0.3]), -1, 1)
    shifted = metrics.sliced_wasserstein_distance(images, cast, patches_per_image=32, directions=32)
    assert same.resolutions == (32, 16)
    assert same.distances.shape == (2,)
    assert same.mean == pytest.approx(same.distances.mean())
    assert same.mean < 0.05 and other.mean < 0.1  # patches at other random positions: not 0
    # the cast moves the coarse (colour) level, whose descriptors are normalised with images1's statistics
    assert shifted.distances[-1] > 5 * max(same.distances[-1], other.distances[-1])


def test_sliced_wasserstein_handles_grey_images_and_sets_of_different_sizes():
    images = _smooth_images(20, size=16, channels=1, seed=2)
    result = metrics.sliced_wasserstein_distance(images, images[:7], patches_per_image=16, directions=16)
    assert result.resolutions == (16,)
    assert np.isfinite(result.mean) and result.mean > 0


def test_sliced_wasserstein_refuses_sets_of_different_shapes_and_small_images():
    with pytest.raises(ValueError, match="same image shape"):
        metrics.sliced_wasserstein_distance(np.zeros((2, 32, 32, 3)), np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match="at least 16 x 16"):
        metrics.sliced_wasserstein_distance(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        metrics.sliced_wasserstein_distance(np.full((2, 16, 16, 3), 255.0), np.zeros((2, 16, 16, 3)))


# --------------------------------------------------------------------------- nearest neighbours


def test_nearest_neighbours_match_brute_force_in_numpy():
    rng = np.random.default_rng(0)
    queries, references = rng.uniform(-1, 1, (23, 6, 6, 3)), rng.uniform(-1, 1, (57, 6, 6, 3))
    found = metrics.nearest_neighbours(queries, references, k=3, batch_size=5, reference_chunk=10)
    distances = np.linalg.norm(queries.reshape(23, 1, -1) - references.reshape(1, 57, -1), axis=2)
    np.testing.assert_array_equal(found.indices, np.argsort(distances, axis=1)[:, :3])
    np.testing.assert_allclose(found.distances, np.sort(distances, axis=1)[:, :3], rtol=1e-6)


def test_nearest_neighbours_in_feature_space_compare_the_features():
    queries = np.array([[0.0, 100.0], [5.0, -100.0]])
    references = np.array([[1.0, -50.0], [4.5, 50.0], [-3.0, 0.0]])
    found = metrics.nearest_neighbours(queries, references, k=2, features=lambda x: np.asarray(x)[:, :1])
    np.testing.assert_array_equal(found.indices, [[0, 2], [1, 0]])
    np.testing.assert_allclose(found.distances, [[1.0, 3.0], [0.5, 4.0]])


def test_nearest_neighbours_refuse_mismatched_shapes_and_large_k():
    with pytest.raises(ValueError, match="same shape per item"):
        metrics.nearest_neighbours(np.zeros((2, 4, 4, 3)), np.zeros((3, 4, 4, 1)))
    with pytest.raises(ValueError, match="k=4"):
        metrics.nearest_neighbours(np.zeros((2, 4)), np.zeros((3, 4)), k=4)


def test_memorisation_check_flags_exact_copies_and_not_fresh_noise():
    rng = np.random.default_rng(0)
    training, fresh = rng.uniform(-1, 1, (300, 8, 8, 3)), rng.uniform(-1, 1, (400, 8, 8, 3))
    copies = training[[3, 17, 250, 99]] + rng.normal(0, 0.01, (4, 8, 8, 3))
    new = rng.uniform(-1, 1, (200, 8, 8, 3))
    result = metrics.memorisation_check(np.concatenate([copies, new]), training, fresh, k=2, batch_size=64)
    assert result.flagged[:4].all()
    np.testing.assert_array_equal(result.neighbour_indices[:4, 0], [3, 17, 250, 99])
    assert result.sample_distances[:4].max() < 0.2  # 192 values with noise of std 0.01: about 0.14
    assert result.flagged[4:].mean() < 0.05  # new noise: about 1% by construction of the threshold
    assert result.threshold == pytest.approx(np.quantile(result.fresh_distances, 0.01))
    assert result.neighbour_distances.shape == (204, 2)
    assert result.expected_fraction == 0.01
    assert result.median_fresh == pytest.approx(np.median(result.fresh_distances))


def test_memorisation_check_refuses_a_bad_quantile():
    with pytest.raises(ValueError, match="quantile"):
        metrics.memorisation_check(np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((3, 4)), quantile=1.5)


def test_sliced_wasserstein_against_several_sets_equals_single_calls():
    reference = _smooth_images(24, size=16, seed=3)
    first, second = _smooth_images(10, size=16, seed=4), _smooth_images(24, size=16, seed=5)
    together = metrics._sliced_wasserstein_distances(reference, [first, second], 7, 16, 16, 2, 16, 5)
    for images, result in zip((first, second), together):
        alone = metrics.sliced_wasserstein_distance(reference, images, patches_per_image=16, directions=16,
                                                    repeats=2, seed=5)
        np.testing.assert_allclose(result.distances, alone.distances, rtol=1e-12)


# --------------------------------------------------------------------------- paintings


def test_evaluate_paintings_puts_real_crops_near_the_floor_and_noise_far_above_it(tmp_path, monkeypatch):
    from ganlab.datasets import random_crops

    monkeypatch.setenv("GANLAB_CACHE_DIR", str(tmp_path))
    real = random_crops("great_wave", 130, 64, scale=classifier.PAINTING_CROP_SCALE, seed=77)
    noise = np.random.default_rng(1).uniform(-1, 1, (130, 64, 64, 3)).astype(np.float32)
    real_scores = metrics.evaluate_paintings(real, painting="great_wave", reference_n=200)
    noise_scores = metrics.evaluate_paintings(noise, painting=1, reference_n=200)
    assert real_scores["share"] >= 0.95 and noise_scores["share"] <= 0.05
    assert real_scores["fid"] < 3 * real_scores["fid_floor"]
    assert noise_scores["fid"] > 100 * noise_scores["fid_floor"]
    assert noise_scores["fid_floor"] == real_scores["fid_floor"]  # same painting, N and seed: same fresh crops
    assert abs(real_scores["kid"]) < 0.05 * noise_scores["kid"]
    assert sum(real_scores["histogram"]) == pytest.approx(1.0) and len(real_scores["histogram"]) == 8
    assert real_scores["n"] == 130 and real_scores["reference_n"] == 200
    json.dumps(real_scores)  # plain Python numbers


def test_evaluate_paintings_fid_matches_the_frechet_distance_to_the_cached_reference(tmp_path, monkeypatch):
    from ganlab.datasets import random_crops

    monkeypatch.setenv("GANLAB_CACHE_DIR", str(tmp_path))
    samples = random_crops("paintings", 130, 32, scale=(0.2, 0.5), seed=5)
    scores = metrics.evaluate_paintings(samples, reference_n=150, scale=(0.2, 0.5))
    assert "share" not in scores
    reference = classifier.classifier_features(random_crops("paintings", 150, 32, scale=(0.2, 0.5),
                                                            seed=metrics.PAINTING_REFERENCE_SEED), "paintings")
    expected = metrics.frechet_distance_from_features(classifier.classifier_features(samples, "paintings"), reference)
    assert scores["fid"] == pytest.approx(expected, rel=1e-4)
    stored = sorted(path.name.rsplit("_crops", 1)[0] for path in tmp_path.glob("painting_features_*.npz"))
    digest = classifier.weights_sha256("paintings")[:16]
    assert stored == [f"painting_features_{digest}_all_32px_n130_scale0.2-0.5_seed3",
                      f"painting_features_{digest}_all_32px_n150_scale0.2-0.5_seed2"]


def test_painting_reference_features_are_recomputed_when_the_crops_change(tmp_path, monkeypatch):
    from ganlab import datasets

    monkeypatch.setenv("GANLAB_CACHE_DIR", str(tmp_path))
    before = metrics.painting_crop_features("udnie", 16, 6, (0.2, 0.5), seed=9)
    cutting = datasets.random_crops

    def darker_crops(*args, **kwargs):  # as if the crop method or the painting file had changed
        return cutting(*args, **kwargs) * 0.5

    monkeypatch.setattr(datasets, "random_crops", darker_crops)
    after = metrics.painting_crop_features("udnie", 16, 6, (0.2, 0.5), seed=9)
    assert len(list(tmp_path.glob("painting_features_*udnie_16px_n6*.npz"))) == 2
    assert not np.allclose(before, after)


def test_evaluate_paintings_reports_sliced_wasserstein_with_its_floor(tmp_path, monkeypatch):
    from ganlab.datasets import random_crops

    monkeypatch.setenv("GANLAB_CACHE_DIR", str(tmp_path))
    real = random_crops("scream", 130, 16, scale=(0.2, 0.5), seed=8)
    scores = metrics.evaluate_paintings(real, painting="scream", reference_n=130, scale=(0.2, 0.5), swd=True)
    flat = metrics.evaluate_paintings(np.zeros_like(real), painting="scream", reference_n=130, scale=(0.2, 0.5),
                                      swd=True)
    assert scores["swd_floor"] == flat["swd_floor"]
    assert scores["swd"] < 2 * scores["swd_floor"] < flat["swd"]


def test_nearby_real_crops_are_the_named_changes_of_real_crops():
    from ganlab.datasets import random_crops

    sets = metrics.nearby_real_crops("udnie", 6, 32, scale=(0.2, 0.4), seed=4)
    assert list(sets) == list(metrics.NEARBY_VARIANTS)
    crops = random_crops("udnie", 6, 32, scale=(0.2, 0.4), seed=4)
    np.testing.assert_array_equal(sets["fresh crops"], crops)
    np.testing.assert_allclose(sets["brighter"], np.clip(crops + 0.1, -1, 1), atol=1e-6)
    np.testing.assert_array_equal(sets["zoomed out"], random_crops("udnie", 6, 32, scale=(0.4, 0.8), seed=4))
    blurred = sets["half resolution"]
    assert blurred.shape == crops.shape and blurred.dtype == np.float32
    # a blur keeps the mean colour and removes pixel-to-pixel detail
    np.testing.assert_allclose(blurred.mean(axis=(1, 2)), crops.mean(axis=(1, 2)), atol=0.02)
    assert np.abs(np.diff(blurred, axis=2)).mean() < 0.8 * np.abs(np.diff(crops, axis=2)).mean()


def test_nearby_real_crops_needs_one_painting():
    with pytest.raises(ValueError, match="needs one painting"):
        metrics.nearby_real_crops(None, 10)


@pytest.mark.parametrize("painting, message", [(8, "out of range"), ("mona_lisa", "unknown painting"),
                                               (1.5, "painting must be")])
def test_evaluate_paintings_refuses_unknown_paintings(painting, message):
    with pytest.raises(ValueError, match=message):
        metrics.evaluate_paintings(np.zeros((4, 64, 64, 3), np.float32), painting=painting)


def test_evaluate_paintings_refuses_fewer_samples_than_features():
    with pytest.raises(ValueError, match="at least 129 for the 128 classifier features"):
        metrics.evaluate_paintings(np.zeros((128, 64, 64, 3), np.float32))
    with pytest.raises(ValueError, match="more reference crops than features"):
        metrics.evaluate_paintings(np.zeros((129, 64, 64, 3), np.float32), reference_n=100)


# --------------------------------------------------------------------------- precision and recall


def test_precision_recall_on_points_on_a_line_by_hand():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])        # k = 1: every real ball has radius 1
    generated = np.array([[0.5], [3.5], [10.0]])         # k = 1: radii 3, 3 and 6.5
    # precision: 0.5 and 3.5 lie within 1 of a real point, 10 does not -> 2/3
    # recall: 0, 1, 2, 3 all lie within 3 of 0.5 or 3.5 -> 1
    assert metrics.precision_recall(real, generated, k=1) == pytest.approx((2 / 3, 1.0))
    # k = 2: real radii are 2 (ends) and 1 (middle); generated radii 3, 6.5, 6.5 (the second-nearest)
    # precision: 0.5 (within 2 of 0), 3.5 (within 2 of 3) yes, 10 no -> 2/3; recall: all four -> 1
    assert metrics.precision_recall(real, generated, k=2) == pytest.approx((2 / 3, 1.0))


def test_precision_recall_counts_a_point_on_a_ball_boundary_as_inside():
    real = np.array([[0.0, 0.0], [1.0, 0.0]])            # radius 1 each (k = 1)
    generated = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 1.5]])
    # (2, 0) is at distance 1 from (1, 0): inside; (0, 1) at distance 1 from (0, 0): inside; (0, 1.5) is not
    assert metrics.precision_recall(real, generated, k=1).precision == pytest.approx(2 / 3)


def test_precision_recall_of_one_set_against_itself_is_one_and_of_far_sets_zero():
    rng = np.random.default_rng(0)
    points = rng.standard_normal((200, 8))
    assert metrics.precision_recall(points, points) == (1.0, 1.0)
    assert metrics.precision_recall(points, points + 100.0) == (0.0, 0.0)


def test_precision_recall_separates_fidelity_from_diversity():
    rng = np.random.default_rng(1)
    real = rng.standard_normal((1000, 2))
    narrow = 0.2 * rng.standard_normal((1000, 2))         # good samples, little variety
    wide = 4.0 * rng.standard_normal((1000, 2))           # varied samples, most far from the data
    narrow_scores, wide_scores = metrics.precision_recall(real, narrow), metrics.precision_recall(real, wide)
    assert narrow_scores.precision > 0.95 and narrow_scores.recall < 0.3
    assert wide_scores.precision < 0.5 and wide_scores.recall > 0.95


@pytest.mark.parametrize("real, generated, k, message", [
    (np.zeros((5, 2)), np.zeros((5, 3)), 3, "features per sample"),
    (np.zeros((3, 2)), np.zeros((5, 2)), 3, "more than k=3 rows"),
    (np.zeros((5, 2)), np.zeros((5, 2)), 0, "k"),
    (np.zeros(5), np.zeros((5, 2)), 3, "2D array"),
])
def test_precision_recall_refuses_bad_input(real, generated, k, message):
    with pytest.raises(ValueError, match=message):
        metrics.precision_recall(real, generated, k=k)


# --------------------------------------------------------------------------- the real-data floor


def test_test_split_halves_are_two_disjoint_random_halves_of_the_test_split():
    images, _ = load_mnist("test")
    first, second = metrics.test_split_halves()
    assert len(first) == len(images) // 2 and len(first) + len(second) == len(images)
    flat = images.reshape(len(images), -1)
    rows = {row.tobytes(): i for i, row in enumerate(flat)}
    picked = [rows[row.tobytes()] for row in np.concatenate([first, second]).reshape(len(images), -1)]
    assert sorted(picked) == list(range(len(images)))            # every test digit once: disjoint and complete
    assert picked[:len(first)] != list(range(len(first)))        # not the first half cut in the middle
    again, _ = metrics.test_split_halves()
    np.testing.assert_array_equal(again, first)                   # the same halves every time


def test_random_halves_score_far_lower_than_the_halves_cut_in_the_middle():
    # the first 5,000 test digits come from NIST SD-3, the last 5,000 from SD-1: cut in the middle they differ
    images, _ = load_mnist("test")
    half = len(images) // 2
    first, second = metrics.test_split_halves()
    middle = metrics.frechet_distance(images[:2000], reference=images[half:])
    random = metrics.frechet_distance(first[:2000], reference=second)
    assert random < 0.5 * middle


def test_real_data_floor_scores_held_out_digits_against_the_other_half():
    first, second = metrics.test_split_halves()
    floor = metrics.real_data_floor(n=1000)
    expected = metrics.frechet_distance_from_features(classifier_features(first[:1000]), classifier_features(second))
    assert floor["fid"] == pytest.approx(expected, rel=1e-6)
    assert set(floor) == set(metrics.IMAGE_METRICS) and floor["modes"] == 10


def test_real_data_floor_of_held_out_digits_is_below_that_of_the_digits_the_classifier_trained_on():
    # the classifier fitted the training digits: its features of them are not distributed like those of new digits
    train_images, _ = load_mnist("train", limit=2000)
    _, second = metrics.test_split_halves()
    held_out = metrics.real_data_floor(n=2000)["fid"]
    trained_on = metrics.evaluate_images(train_images, metrics="fid", reference=second)["fid"]
    assert held_out < trained_on


def test_evaluate_images_with_a_reference_matches_frechet_distance_with_it():
    first, second = metrics.test_split_halves()
    got = metrics.evaluate_images(first[:500], metrics=("fid", "modes"), reference=second[:1000])
    assert got["fid"] == pytest.approx(metrics.frechet_distance(first[:500], reference=second[:1000]), rel=1e-6)


def test_real_data_floor_refuses_more_digits_than_the_first_half():
    first, _ = metrics.test_split_halves()
    with pytest.raises(ValueError, match="n="):
        metrics.real_data_floor(n=len(first) + 1)
