"""Tests for ganlab.latent: latent vectors, lerp / slerp paths and walks through the latent space."""

import numpy as np
import pytest

from ganlab import latent


def _unit_pair(theta, d=5):
    """a = e1 and b at angle theta from it in the (e1, e2) plane."""
    a = np.zeros(d)
    b = np.zeros(d)
    a[0] = 1.0
    b[0], b[1] = np.cos(theta), np.sin(theta)
    return a, b


@pytest.mark.parametrize("theta", [0.3, 1.0, np.pi / 2, 2.5])
def test_slerp_of_unit_vectors_follows_the_great_circle(theta):
    a, b = _unit_pair(theta)
    t = np.linspace(0.0, 1.0, 11)
    path = latent.slerp(a, b, t)
    expected = np.zeros((11, 5))
    expected[:, 0], expected[:, 1] = np.cos(t * theta), np.sin(t * theta)
    np.testing.assert_allclose(path, expected, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-12)


def test_slerp_matches_the_closed_form_for_vectors_that_are_not_unit():
    a = np.array([3.0, 0.0, 0.0])
    b = np.array([0.0, 2.0, 0.0])  # orthogonal: Omega = pi / 2, sin Omega = 1
    # sin((1 - t) pi/2) a + sin(t pi/2) b at t = 1/3: cos(pi/6) a + sin(pi/6) b
    np.testing.assert_allclose(latent.slerp(a, b, 1 / 3), [3 * np.sqrt(3) / 2, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(latent.slerp(a, b, 0.0), a, atol=1e-12)
    np.testing.assert_allclose(latent.slerp(a, b, 1.0), b, atol=1e-12)


def test_interpolate_splits_the_angle_evenly_between_consecutive_frames():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(64), rng.standard_normal(64)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    omega = np.arccos(a @ b)
    path = latent.interpolate(a, b, 9, method="slerp")
    np.testing.assert_allclose(path[0], a, atol=1e-12)
    np.testing.assert_allclose(path[-1], b, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-12)
    steps = np.arccos(np.clip(np.sum(path[1:] * path[:-1], axis=1), -1, 1))
    np.testing.assert_allclose(steps, omega / 8, atol=1e-9)


def test_lerp_is_the_straight_line():
    a, b = np.array([1.0, 2.0]), np.array([5.0, -2.0])
    np.testing.assert_allclose(latent.lerp(a, b, 0.25), [2.0, 1.0])
    np.testing.assert_allclose(latent.interpolate(a, b, 3, method="lerp"), [[1, 2], [3, 0], [5, -2]])


@pytest.mark.parametrize("b", [np.array([2.0, 4.0, 6.0]), np.array([-1.0, -2.0, -3.0]), np.zeros(3)],
                         ids=["parallel", "antiparallel", "zero"])
def test_slerp_falls_back_to_lerp_when_the_great_circle_is_undefined(b):
    a = np.array([1.0, 2.0, 3.0])
    t = np.linspace(0, 1, 7)
    path = latent.slerp(a, b, t)
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path, latent.lerp(a, b, t), atol=1e-12)


def test_slerp_keeps_gaussian_latents_on_their_shell_while_the_lerp_midpoint_shrinks():
    d = 512
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    lerp_mid = np.linalg.norm(latent.lerp(a, b, 0.5))
    slerp_mid = np.linalg.norm(latent.slerp(a, b, 0.5))
    assert abs(lerp_mid / np.sqrt(d / 2) - 1) < 0.1
    assert abs(slerp_mid / np.sqrt(d) - 1) < 0.1


def test_slerp_shapes_and_dtypes():
    a = np.ones((4, 3), dtype=np.float32)
    b = np.eye(4, 3, dtype=np.float32)
    assert latent.slerp(a, b, 0.5).shape == (4, 3)
    assert latent.slerp(a, b, [0.0, 0.5, 1.0]).shape == (3, 4, 3)
    assert latent.slerp(a, b, 0.5).dtype == np.float32
    assert latent.slerp(a.astype(np.float64), b, 0.5).dtype == np.float64


def test_interpolation_rejects_bad_arguments():
    a, b = np.ones(3), np.zeros(3)
    with pytest.raises(ValueError, match="frames"):
        latent.interpolate(a, b, 1)
    with pytest.raises(ValueError, match="method"):
        latent.interpolate(a, b, 4, method="cubic")
    with pytest.raises(ValueError, match="shape"):
        latent.slerp(a, np.ones(4), 0.5)
    with pytest.raises(ValueError, match="finite"):
        latent.lerp(a, b, np.nan)


def test_latent_walk_passes_through_every_keyframe():
    keyframes = np.random.default_rng(1).standard_normal((3, 6))
    path = latent.latent_walk(keyframes, frames_per_segment=4)
    assert path.shape == (9, 6)
    np.testing.assert_allclose(path[[0, 4, 8]], keyframes, atol=1e-6)
    loop = latent.latent_walk(keyframes, frames_per_segment=4, loop=True)
    assert loop.shape == (12, 6)
    np.testing.assert_allclose(loop[[0, 4, 8]], keyframes, atol=1e-6)
    # the loop's last frame is one step before keyframe 0 again
    np.testing.assert_allclose(loop[-1], latent.slerp(keyframes[2], keyframes[0], 0.75), atol=1e-6)
    with pytest.raises(ValueError):
        latent.latent_walk(keyframes[:1])


def test_seed_latents_are_the_vectors_generate_uses():
    latents = latent.seed_latents([5, 0, 17], 10)
    for row, seed in zip(latents, [5, 0, 17]):
        np.testing.assert_array_equal(row, latent.latent_vectors(1, 10, seed)[0])
    with pytest.raises(ValueError):
        latent.seed_latents([-1], 10)


def test_render_embeddings_of_a_labels_embedding_is_the_conditional_picture():
    from ganlab import models

    generator = models.image_generator(16, 3, num_classes=4, name="g")
    z = latent.latent_vectors(3, 128, seed=0)
    labels = np.array([0, 2, 3])
    table = latent.label_embeddings(generator)
    assert table.shape == (4, 50)
    expected = latent.generate(generator, 3, latents=z, labels=labels)
    np.testing.assert_allclose(latent.render_embeddings(generator, z, table[labels]), expected, atol=1e-5)
    halfway = latent.render_embeddings(generator, z[:1], 0.5 * (table[0] + table[2]))
    assert halfway.shape == (1, 16, 16, 3)
    assert not np.allclose(halfway, expected[0]) and not np.allclose(halfway, expected[1])


def test_render_embeddings_refuses_an_unconditional_generator_and_bad_shapes():
    from ganlab import models

    with pytest.raises(ValueError, match="label_embedding"):
        latent.label_embeddings(models.image_generator(16, 3, name="g"))
    generator = models.image_generator(16, 3, num_classes=4, name="g")
    with pytest.raises(ValueError, match="embeddings must have shape"):
        latent.render_embeddings(generator, latent.latent_vectors(2, 128, seed=0), np.zeros((3, 50)))


# --------------------------------------------------------------------------- shells and arithmetic


def test_shell_latents_have_the_radius_and_the_directions_of_latent_vectors():
    shell = latent.shell_latents(50, 16, radius=2.5, seed=3)
    gaussian = latent.latent_vectors(50, 16, seed=3)
    assert shell.dtype == np.float32 and shell.shape == (50, 16)
    np.testing.assert_allclose(np.linalg.norm(shell, axis=1), 2.5, rtol=1e-6)
    cosines = np.sum(shell * gaussian, axis=1) / (2.5 * np.linalg.norm(gaussian, axis=1))
    np.testing.assert_allclose(cosines, 1.0, rtol=1e-5)


def test_shell_latents_of_radius_zero_are_the_origin():
    np.testing.assert_array_equal(latent.shell_latents(3, 4, radius=0, seed=0), np.zeros((3, 4), np.float32))


@pytest.mark.parametrize("radius", [-1.0, float("nan"), float("inf"), "10", True])
def test_shell_latents_refuse_a_bad_radius(radius):
    with pytest.raises(ValueError, match="radius"):
        latent.shell_latents(3, 4, radius=radius)


def test_latent_arithmetic_averages_each_concept_by_hand():
    plus = [[1.0, 0.0], [3.0, 0.0]]                       # mean (2, 0)
    minus = [0.0, 2.0]                                    # one sample
    base = [[1.0, 1.0], [1.0, 3.0], [1.0, 2.0]]           # mean (1, 2)
    np.testing.assert_allclose(latent.latent_arithmetic(plus, minus, base), [3.0, 0.0])


@pytest.mark.parametrize("plus, minus, base, message", [
    (np.zeros((0, 2)), np.zeros((1, 2)), np.zeros((1, 2)), "plus"),
    (np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 2)), "same latent dimension"),
    (np.zeros((1, 2)), np.zeros((1, 2)), np.full((1, 2), np.nan), "base"),
])
def test_latent_arithmetic_refuses_bad_concepts(plus, minus, base, message):
    with pytest.raises(ValueError, match=message):
        latent.latent_arithmetic(plus, minus, base)
