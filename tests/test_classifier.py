"""Tests for ganlab.classifier: the registry of classifiers and the shipped MNIST one, on real digits."""

from dataclasses import replace

import keras
import numpy as np
import pytest

from ganlab import classifier


def test_classifier_reaches_99_percent_on_the_test_split(test_split):
    images, labels = test_split
    probabilities = classifier.classifier_probabilities(images)
    assert probabilities.shape == (10_000, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    accuracy = np.mean(np.argmax(probabilities, axis=1) == labels)
    assert accuracy >= 0.99


def test_classifier_features_are_the_128_unit_penultimate_layer(test_split):
    images = test_split[0][:7]
    features = classifier.classifier_features(images)
    layer = classifier.load_classifier().get_layer("features")
    expected = keras.ops.convert_to_numpy(keras.Model(classifier.load_classifier().inputs[0], layer.output)(images))
    assert features.shape == (7, 128)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_classifier_accepts_images_without_channel_axis(test_split):
    images = test_split[0][:5]
    np.testing.assert_allclose(classifier.classifier_features(images[..., 0]), classifier.classifier_features(images))


def test_values_within_rounding_of_the_range_are_clipped():
    images = np.full((2, 28, 28, 1), -1.0, np.float32)
    images[:, 10:18, 12:16] = 1.0
    rounded = images.copy()
    rounded[rounded == 1.0] = 1.0005
    np.testing.assert_array_equal(classifier.check_images(rounded), images)


@pytest.mark.parametrize("shape", [(4, 28, 28, 3), (4, 32, 32, 1), (28, 28), (4, 784)])
def test_classifier_refuses_wrong_shapes(shape):
    with pytest.raises(ValueError, match=r"shape \(N, 28, 28, 1\)"):
        classifier.classifier_features(np.zeros(shape, np.float32))


def test_classifier_refuses_uint8_pixels_with_a_hint():
    with pytest.raises(ValueError, match=r"\[-1, 1\].*127\.5"):
        classifier.classifier_probabilities(np.full((3, 28, 28, 1), 255, np.uint8))


def test_classifier_refuses_nan():
    images = np.zeros((3, 28, 28, 1), np.float32)
    images[1, 4, 4, 0] = np.nan
    with pytest.raises(ValueError, match="1 NaN or infinite values"):
        classifier.classifier_features(images)


def test_a_second_classifier_registers_next_to_mnist_and_checks_its_own_shape(monkeypatch):
    monkeypatch.setattr(classifier, "CLASSIFIERS", dict(classifier.CLASSIFIERS))
    mnist = classifier.get_classifier_spec("mnist")
    spec = classifier.register_classifier(replace(mnist, name="colour", image_shape=(8, 8, 3), num_classes=8))
    assert classifier.get_classifier_spec("colour") is spec
    assert set(classifier.CLASSIFIERS) == {"mnist", "paintings", "colour"}
    assert classifier.check_images(np.zeros((2, 8, 8, 3)), classifier="colour").shape == (2, 8, 8, 3)
    with pytest.raises(ValueError, match=r"shape \(N, 8, 8, 3\) \(3-channel"):
        classifier.check_images(np.zeros((2, 8, 8)), classifier="colour")
    with pytest.raises(ValueError, match="already registered"):
        classifier.register_classifier(spec)
    with pytest.raises(ValueError, match="unknown classifier 'cifar'.*colour"):
        classifier.load_classifier("cifar")


def test_the_classifier_is_loaded_once_and_kept_in_the_cache():
    model = classifier.load_classifier()
    assert classifier.CACHE.models["mnist"] is model and classifier.load_classifier("mnist") is model
    assert classifier.get_classifier_spec("mnist").weights_path.name == "mnist_classifier.weights.h5"
    assert len(classifier.weights_sha256()) == 64


# --------------------------------------------------------------------------- the painting classifier


@pytest.fixture(scope="module")
def fresh_painting_crops():
    from ganlab.datasets import random_crops

    return random_crops("paintings", 240, 64, scale=classifier.PAINTING_CROP_SCALE, labels=True, seed=123)


def test_painting_classifier_recognises_fresh_crops(fresh_painting_crops):
    images, labels = fresh_painting_crops
    probabilities = classifier.classifier_probabilities(images, "paintings")
    assert probabilities.shape == (240, 8)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert np.mean(np.argmax(probabilities, axis=1) == labels) >= 0.97


def test_painting_classifier_is_small():
    assert classifier.get_classifier_spec("paintings").weights_path.stat().st_size < 1_000_000
    assert classifier.load_classifier("paintings").count_params() < 200_000


def test_painting_features_are_the_128_unit_penultimate_layer(fresh_painting_crops):
    images = fresh_painting_crops[0][:5]
    model = classifier.load_classifier("paintings")
    expected = keras.ops.convert_to_numpy(keras.Model(model.inputs[0], model.get_layer("features").output)(images))
    features = classifier.classifier_features(images, "paintings")
    assert features.shape == (5, 128)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_painting_features_resize_other_sizes_to_64():
    colours = np.float32([[0.8, -0.2, 0.1], [-0.5, 0.3, 0.9]])
    flat = {size: np.broadcast_to(colours[:, None, None, :], (2, size, size, 3)) for size in (16, 64, 256)}
    # a flat colour stays that colour under any resize, so every size gives the 64 x 64 features
    at_64 = classifier.classifier_features(flat[64], "paintings")
    np.testing.assert_allclose(classifier.classifier_features(flat[16], "paintings"), at_64, atol=1e-5)
    np.testing.assert_allclose(classifier.classifier_features(flat[256], "paintings"), at_64, atol=1e-5)


@pytest.mark.parametrize("shape", [(2, 64, 64, 1), (2, 64, 32, 3), (2, 48, 48, 3), (2, 8, 8, 3)])
def test_painting_classifier_refuses_grey_non_square_and_odd_sizes(shape):
    with pytest.raises(ValueError, match=r"\(N, S, S, 3\)"):
        classifier.classifier_features(np.zeros(shape, np.float32), "paintings")


def test_pure_noise_lands_mostly_in_one_painting_class():
    # why the share of samples assigned to the asked painting proves little on its own
    noise = np.random.default_rng(0).uniform(-1, 1, (200, 64, 64, 3)).astype(np.float32)
    histogram = np.bincount(np.argmax(classifier.classifier_probabilities(noise, "paintings"), axis=1), minlength=8) / 200
    assert histogram.max() >= 0.5
