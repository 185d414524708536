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
    assert classifier.get_classifier_spec("colour") is spec and set(classifier.CLASSIFIERS) == {"mnist", "colour"}
    assert classifier.check_images(np.zeros((2, 8, 8, 3)), classifier="colour").shape == (2, 8, 8, 3)
    with pytest.raises(ValueError, match=r"shape \(N, 8, 8, 3\) \(3-channel"):
        classifier.check_images(np.zeros((2, 8, 8)), classifier="colour")
    with pytest.raises(ValueError, match="already registered"):
        classifier.register_classifier(spec)
    with pytest.raises(ValueError, match="unknown classifier 'paintings'.*colour"):
        classifier.load_classifier("paintings")


def test_the_classifier_is_loaded_once_and_kept_in_the_cache():
    model = classifier.load_classifier()
    assert classifier.CACHE.models["mnist"] is model and classifier.load_classifier("mnist") is model
    assert classifier.get_classifier_spec("mnist").weights_path.name == "mnist_classifier.weights.h5"
    assert len(classifier.weights_sha256()) == 64
