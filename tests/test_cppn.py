"""Tests for ganlab.cppn: the CPPN generator, drawn at any size (chapter 8). The ``cppn`` fixture is in conftest."""

import numpy as np
import pytest

from ganlab import cppn as gcppn
from ganlab import models


def test_cppn_generator_maps_latents_to_images_of_its_size(cppn):
    z = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    images = np.asarray(cppn(z))
    assert images.shape == (3, 12, 12, 1)
    assert np.all(np.abs(images) <= 1)
    assert not np.allclose(images[0], images[1])  # z changes the picture
    assert gcppn.cppn_generator().count_params() == 14849


def test_cppn_renders_the_same_picture_at_two_sizes(cppn):
    z = np.random.default_rng(1).standard_normal((2, 8)).astype(np.float32)
    small = np.asarray(cppn(z))
    large = gcppn.render_cppn(cppn, z, size=48)
    assert large.shape == (2, 48, 48, 1)
    downsampled = large.reshape(2, 12, 4, 12, 4, 1).mean(axis=(2, 4))
    assert np.abs(downsampled - small).mean() < 0.02
    assert np.abs(downsampled - small).max() < 0.15


def test_cppn_zoom_out_contains_the_training_frame_exactly(cppn):
    z = np.random.default_rng(2).standard_normal(8).astype(np.float32)
    frame = gcppn.render_cppn(cppn, z, size=12)
    zoomed = gcppn.render_cppn(cppn, z, size=24, extent=2.0)
    np.testing.assert_allclose(zoomed[6:18, 6:18], frame, atol=1e-5)


def test_render_cppn_in_strips_equals_one_pass(cppn):
    z = np.random.default_rng(3).standard_normal((3, 8)).astype(np.float32)
    whole = gcppn.render_cppn(cppn, z, size=20, max_pixels=10 ** 6)
    strips = gcppn.render_cppn(cppn, z, size=20, max_pixels=60)  # 3-row strips, one picture at a time
    np.testing.assert_allclose(strips, whole, atol=1e-6)


def test_cppn_saves_and_loads_as_keras_file(cppn, tmp_path):
    cppn.save(tmp_path / "generator.keras")
    loaded = models.load_generator(tmp_path)
    z = np.random.default_rng(4).standard_normal((2, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(z)), np.asarray(cppn(z)), atol=1e-6)
    assert gcppn.is_cppn(loaded)
    np.testing.assert_allclose(gcppn.render_cppn(loaded, z, size=30), gcppn.render_cppn(cppn, z, size=30),
                               atol=1e-6)


def test_cppn_rejects_bad_settings(cppn):
    with pytest.raises(ValueError, match="activation"):
        gcppn.cppn_generator(activations=("tanh", "wobble"))
    with pytest.raises(ValueError, match="not a CPPN"):
        gcppn.cppn_at_size(models.toy_generator(), 64)
    with pytest.raises(ValueError, match="latents"):
        gcppn.render_cppn(cppn, np.zeros((2, 5)), size=16)
    with pytest.raises(ValueError):
        gcppn.render_cppn(cppn, np.zeros(8), size=0)
