"""The classifiers behind the image metrics: a registry of specs, their builders, and one cache.

A classifier is registered once as a :class:`ClassifierSpec` (a name, a builder,
a weights file in ``ganlab/assets``, the image shape it takes, its number of
classes and the layer whose activations are its features). ``"mnist"`` is the
small CNN that ships with the package (``ganlab/assets/mnist_classifier.weights.h5``,
made by ``scripts/train_classifier.py`` with seed 0 on the offline 22,699-image
train split, with small random shifts and rotations); its accuracy on the
10,000-image test split is 99.45% (9,945 of 10,000). Its 128-unit penultimate
layer (``"features"``) plays the role that Inception-v3's pool features play in
the usual FID (see ``ganlab.metrics``).

``"paintings"`` scores colour crops of the eight shipped paintings (see
:func:`build_painting_classifier`): its weights
(``ganlab/assets/painting_classifier.weights.h5``, 0.51 MB, 115,704 weights) come
from ``scripts/train_painting_classifier.py`` with seed 0: 6 epochs over 16,000
random 64 x 64 crops with crop sides from 0.11 to 0.6 of the painting's shorter
side (:data:`PAINTING_CROP_SCALE`; 0.11 is the least that keeps the enlargement
of the smallest painting's crops within 2x), with brightness, contrast and
pixel-noise augmentation. Its accuracy on 2,000 fresh crops (seed 1): 99.95% at
64 x 64 (1,999 of 2,000), 99.95% for crops cut at 32 x 32 and 100% for crops cut
at 128 x 128 (scale 0.22 to 0.6), both resized to 64 x 64 as it does for every
size it takes (:attr:`ClassifierSpec.input_sizes`).

To add a classifier, write its builder next to these, save its weights into
``ganlab/assets`` and add one :func:`register_classifier` call; every function
here then takes ``classifier="<its name>"``.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from ganlab._checks import register_once
from ganlab.datasets import IMAGE_SIZES, MNIST_CLASSES, MNIST_IMAGE_SHAPE, paintings

ASSETS = Path(__file__).resolve().parent / "assets"
BATCH_SIZE = 1000
RANGE_TOLERANCE = 1e-3  # pixel values may leave [-1, 1] by this much (rounding, float16 storage)
PAINTING_CROP_SCALE = (0.11, 0.6)  # crop side / shorter side of the painting, as the painting classifier was trained


@dataclass(frozen=True)
class ClassifierSpec:
    """What ganlab knows about one classifier.

    Attributes:
        name: the registry key (``"mnist"``).
        build: a function that returns the untrained ``keras.Model`` (logits out).
        weights: the weights file's name in ``ganlab/assets``.
        image_shape: (H, W, C) of the images it takes, in [-1, 1].
        num_classes: the number of classes (logits per image).
        feature_layer: the layer whose activations are the features (FID's embedding).
        made_by: the script that trains it and writes its weights.
        input_sizes: other square sizes it takes, resized to its own first (bilinear, antialiased).
    """

    name: str
    build: object
    weights: str
    image_shape: tuple
    num_classes: int
    feature_layer: str = "features"
    made_by: str = ""
    input_sizes: tuple = ()

    @property
    def weights_path(self):
        """The full path of the weights file."""
        return ASSETS / self.weights


CLASSIFIERS = {}


def register_classifier(spec):
    """Add a :class:`ClassifierSpec` to :data:`CLASSIFIERS` (a name is registered once) and return it."""
    return register_once(CLASSIFIERS, spec.name, spec, "a classifier")


def get_classifier_spec(name):
    """The :class:`ClassifierSpec` registered as ``name``, or ValueError naming the choices."""
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}; choose one of {sorted(CLASSIFIERS)}.")
    return CLASSIFIERS[name]


class _Cache:
    """The loaded classifiers (model and its features-and-logits twin) and their weights' hashes, by name."""

    def __init__(self):
        self.models, self.two_headed, self.sha256 = {}, {}, {}

    def clear(self):
        """Forget everything (the next call loads again)."""
        self.__init__()


CACHE = _Cache()


# --------------------------------------------------------------------------- the MNIST classifier


def build_mnist_classifier():
    """Build the (untrained) MNIST classifier: a small CNN that outputs 10 logits.

    conv32 - conv32 - maxpool - conv64 - conv64 - maxpool - dense128 (``"features"``)
    - dense10 (``"logits"``), 3x3 valid convolutions and ReLUs, dropout during
    training only. It takes images in [-1, 1] with shape (N, 28, 28, 1), as
    :func:`ganlab.load_mnist` returns them.

    Returns:
        A ``keras.Model`` named ``"mnist_classifier"`` (about 200,000 weights).
    """
    layers = keras.layers
    images = keras.Input(MNIST_IMAGE_SHAPE, name="images")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(images)
    x = layers.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv3")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv4")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout1")(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.5, name="dropout2")(x)
    logits = layers.Dense(MNIST_CLASSES, name="logits")(x)
    return keras.Model(images, logits, name="mnist_classifier")


register_classifier(ClassifierSpec("mnist", build_mnist_classifier, "mnist_classifier.weights.h5", MNIST_IMAGE_SHAPE,
                                   MNIST_CLASSES, made_by="scripts/train_classifier.py"))


# --------------------------------------------------------------------------- the painting classifier

PAINTING_IMAGE_SHAPE = (64, 64, 3)


def build_painting_classifier():
    """Build the (untrained) classifier of the eight paintings' crops: a small CNN with 8 logits.

    Four 3 x 3 convolutions with stride 2 (16, 32, 64, 128 channels, each
    followed by batch normalisation and a ReLU) take a 64 x 64 x 3 crop down to
    4 x 4, a global average pool makes the result independent of where in the
    crop a motif sits, then dense 128 + ReLU (``"features"``) and dense 8
    (``"logits"``, one per painting in the order of
    :func:`ganlab.datasets.paintings`). Input: images in [-1, 1], (N, 64, 64, 3).

    Returns:
        A ``keras.Model`` named ``"painting_classifier"`` (about 117,000 weights).
    """
    layers = keras.layers
    images = keras.Input(PAINTING_IMAGE_SHAPE, name="images")
    x = images
    for index, filters in enumerate((16, 32, 64, 128), start=1):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, name=f"conv{index}")(x)
        x = layers.BatchNormalization(name=f"norm{index}")(x)
        x = layers.ReLU(name=f"relu{index}")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    logits = layers.Dense(len(paintings()), name="logits")(x)
    return keras.Model(images, logits, name="painting_classifier")


register_classifier(ClassifierSpec("paintings", build_painting_classifier, "painting_classifier.weights.h5",
                                   PAINTING_IMAGE_SHAPE, len(paintings()),
                                   made_by="scripts/train_painting_classifier.py", input_sizes=IMAGE_SIZES))


# --------------------------------------------------------------------------- loading, checking, running


def load_classifier(classifier="mnist"):
    """Return a registered classifier with its shipped weights (built once, then kept in :data:`CACHE`).

    Returns:
        The ``keras.Model`` of the spec's builder with its weights; it outputs logits.

    Raises:
        ValueError: for an unknown name.
        FileNotFoundError: if the weights file is missing from the installation.
    """
    spec = get_classifier_spec(classifier)
    if classifier not in CACHE.models:
        if not spec.weights_path.is_file():
            raise FileNotFoundError(
                f"the classifier weights {spec.weights_path} are missing; reinstall ganlab or recreate them "
                f"with {spec.made_by}."
            )
        model = spec.build()
        model.load_weights(spec.weights_path)
        CACHE.two_headed[classifier] = keras.Model(model.inputs[0], [model.get_layer(spec.feature_layer).output,
                                                                     model.outputs[0]])
        CACHE.models[classifier] = model
    return CACHE.models[classifier]


def weights_sha256(classifier="mnist"):
    """Return the SHA-256 hex digest of a classifier's weights file (the key of cached statistics)."""
    if classifier not in CACHE.sha256:
        CACHE.sha256[classifier] = hashlib.sha256(get_classifier_spec(classifier).weights_path.read_bytes()).hexdigest()
    return CACHE.sha256[classifier]


def check_images(images, name="images", classifier="mnist"):
    """Validate images for a classifier and return them as float32 (N, H, W, C) clipped to [-1, 1].

    Args:
        images: array-like of the classifier's image shape, e.g. (N, 28, 28, 1) for
            ``"mnist"`` (one-channel images may drop the channel axis: (N, 28, 28)),
            or square images of one of its ``input_sizes`` (``"paintings"``: (N, S, S, 3),
            S from 16 to 256); values in [-1, 1]; values up to 1e-3 outside (rounding) are clipped.
        name: what to call the array in error messages.
        classifier: the name of a registered classifier (see :data:`CLASSIFIERS`).

    Returns:
        A float32 numpy array (N, H, W, C).

    Raises:
        ValueError: for a non-numeric array, a wrong shape, no images, NaN or
            infinite values, or values outside [-1, 1].
    """
    spec = get_classifier_spec(classifier)
    array = np.asarray(images)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a real-valued numeric array, got dtype {array.dtype}.")
    height, width, channels = spec.image_shape
    if channels == 1 and array.ndim == 3 and array.shape[1:] == (height, width):
        array = array[..., None]
    shapes = [tuple(spec.image_shape)] + [(size, size, channels) for size in spec.input_sizes]
    if array.ndim != 4 or array.shape[1:] not in shapes:
        grey = f" or (N, {height}, {width})" if channels == 1 else ""
        sizes = f", or (N, S, S, {channels}) with S in {spec.input_sizes}" if spec.input_sizes else ""
        raise ValueError(f"{name} must have shape (N, {height}, {width}, {channels}){grey}{sizes} ({channels}-channel "
                         f"images for the {classifier!r} classifier), got shape {array.shape}.")
    if len(array) == 0:
        raise ValueError(f"{name} holds no images (shape {array.shape}).")
    array = array.astype(np.float32)
    finite = np.isfinite(array)
    if not finite.all():
        raise ValueError(f"{name} holds {int(array.size - finite.sum())} NaN or infinite values "
                         f"(in {int(len(array) - finite.reshape(len(array), -1).all(axis=1).sum())} images).")
    low, high = float(array.min()), float(array.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise ValueError(
            f"{name} must have values in [-1, 1] (the range of ganlab's data and of a tanh generator), "
            f"got values in [{low:.4g}, {high:.4g}]. Scale uint8 pixels with x / 127.5 - 1."
        )
    return np.clip(array, -1.0, 1.0)


def resize_for(images, classifier="mnist"):
    """``images`` (N, S, S, C) resized to a classifier's own size: bilinear with antialiasing, clipped to [-1, 1].

    This is what :func:`features_and_logits` does to images of one of the spec's ``input_sizes``.
    """
    image_shape = get_classifier_spec(classifier).image_shape
    if images.shape[1:3] == tuple(image_shape[:2]):
        return images
    resized = keras.ops.image.resize(images, image_shape[:2], interpolation="bilinear", antialias=True)
    return np.clip(keras.ops.convert_to_numpy(resized), -1.0, 1.0)


def features_and_logits(images, name="images", classifier="mnist"):
    """Features (float64, (N, D)) and logits (float64, (N, classes)) of ``images``, in batches of 1,000.

    Raises:
        ValueError: for images of the wrong shape or range (see :func:`check_images`).
    """
    images = check_images(images, name, classifier)
    load_classifier(classifier)
    two_headed = CACHE.two_headed[classifier]
    features, logits = [], []
    for start in range(0, len(images), BATCH_SIZE):
        batch = resize_for(images[start:start + BATCH_SIZE], classifier)
        batch_features, batch_logits = two_headed(batch, training=False)
        features.append(keras.ops.convert_to_numpy(batch_features))
        logits.append(keras.ops.convert_to_numpy(batch_logits))
    return np.concatenate(features).astype(np.float64), np.concatenate(logits).astype(np.float64)


def softmax(logits):
    """Row-wise softmax of float logits (N, classes), shifted by each row's maximum for stability."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def classifier_features(images, classifier="mnist"):
    """Return a classifier's feature-layer activations (``"features"``, 128 ReLU units for ``"mnist"``).

    Args:
        images: (N, 28, 28, 1) or (N, 28, 28) in [-1, 1] for ``"mnist"``; run in batches of 1,000.
        classifier: the name of a registered classifier.

    Returns:
        float64 array (N, D) (D = 128 for ``"mnist"``).

    Raises:
        ValueError: for a wrong shape or values outside [-1, 1] (see :func:`check_images`).
    """
    return features_and_logits(images, classifier=classifier)[0]


def classifier_probabilities(images, classifier="mnist"):
    """Return a classifier's class probabilities p(y | x), the softmax of its logits.

    Args:
        images: (N, 28, 28, 1) or (N, 28, 28) in [-1, 1] for ``"mnist"``; run in batches of 1,000.
        classifier: the name of a registered classifier.

    Returns:
        float64 array (N, classes) whose rows sum to 1.

    Raises:
        ValueError: for a wrong shape or values outside [-1, 1] (see :func:`check_images`).
    """
    return softmax(features_and_logits(images, classifier=classifier)[1])
