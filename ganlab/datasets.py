"""Data for the book: MNIST (offline-first), 2D toy mixtures, and a tf.data pipeline.

MNIST is looked for, in order, in ``data_dir``, in the directory named by the
environment variable ``GANLAB_DATA_DIR``, in the Keras cache
(``~/.keras/datasets/mnist.npz``), and only then downloaded through Keras.
"""

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MNIST_IMAGE_SHAPE = (28, 28, 1)  # one MNIST image: 28 x 28 pixels, one channel
MNIST_CLASSES = 10  # the digits 0-9
_IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}  # unsigned-byte IDX files of 3 and 1 dimensions


def _open_maybe_gzip(path):
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")


def read_idx(path):
    """Read an unsigned-byte IDX file (optionally gzipped) into a uint8 array.

    The shape comes from the file's header, so a shortened file whose header
    says so (the offline copy's 22,699 training images) is read as it is.

    Raises:
        ValueError: if the file is not an unsigned-byte IDX file or holds fewer
            bytes than its header announces (a truncated download).
    """
    try:
        with _open_maybe_gzip(path) as stream:
            header = stream.read(4)
            if len(header) < 4 or header[0] != 0 or header[1] != 0 or header[2] != 0x08:
                raise ValueError(
                    f"{path} is not an unsigned-byte IDX file (bad magic number {header.hex()!r}); "
                    "re-download it or point GANLAB_DATA_DIR at a directory holding the MNIST files."
                )
            ndim = header[3]
            dims_bytes = stream.read(4 * ndim)
            if len(dims_bytes) < 4 * ndim:
                raise ValueError(f"{path} is truncated: its IDX header is incomplete.")
            shape = tuple(int.from_bytes(dims_bytes[4 * i: 4 * i + 4], "big") for i in range(ndim))
            expected = int(np.prod(shape))
            body = stream.read(expected)
    except (EOFError, OSError, gzip.BadGzipFile) as error:
        raise ValueError(f"{path} could not be read ({error}); the file is corrupt or truncated.") from error
    if len(body) < expected:
        raise ValueError(
            f"{path} is truncated: its header announces shape {shape} ({expected} bytes) "
            f"but it holds only {len(body)} bytes. Re-download the file."
        )
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def _find_idx(directory, stem):
    for name in (stem + ".gz", stem):
        candidate = Path(directory) / name
        if candidate.is_file():
            return candidate
    return None


def _read_split_from_directory(directory, split):
    """Return (uint8 images, labels) from IDX files or mnist.npz in ``directory``, or None."""
    image_stem, label_stem = MNIST_FILES[split]
    image_path, label_path = _find_idx(directory, image_stem), _find_idx(directory, label_stem)
    if image_path is not None and label_path is not None:
        images, labels = read_idx(image_path), read_idx(label_path)
        if images.ndim != 3 or labels.ndim != 1:
            raise ValueError(f"{image_path} / {label_path} do not hold images (N, H, W) and labels (N,).")
        if len(images) != len(labels):
            raise ValueError(
                f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels; "
                "the two files come from different copies of MNIST."
            )
        return images, labels
    npz_path = Path(directory) / "mnist.npz"
    if npz_path.is_file():
        return _read_npz(npz_path, split)
    return None


def _read_npz(path, split):
    try:
        with np.load(path) as data:
            images, labels = data[f"x_{split}"], data[f"y_{split}"]
    except KeyError as error:
        raise ValueError(
            f"{path} has no key {error}; a Keras-style mnist.npz holds x_train, y_train, x_test, y_test."
        ) from None
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"{path} could not be read ({error}); the file is corrupt or truncated.") from error
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"{path}: x_{split} has shape {images.shape} and y_{split} {labels.shape}; "
                         "expected (N, 28, 28) and (N,).")
    return images.astype(np.uint8), labels


def _keras_cache_file():
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(Path.home(), ".keras")
    return Path(keras_home) / "datasets" / "mnist.npz"


def _download_through_keras(split, looked):
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # no network, a proxy, a partial file: all mean "not found here"
        raise FileNotFoundError(
            "MNIST was not found and could not be downloaded "
            f"({type(error).__name__}: {error}).\nLooked in:\n  "
            + "\n  ".join(looked)
            + "\nPut the four IDX files (train-images-idx3-ubyte.gz, ...) or a Keras mnist.npz in a "
            "directory and pass it as load_mnist(data_dir=...) or set GANLAB_DATA_DIR=/that/directory."
        ) from None
    return (x_train, y_train) if split == "train" else (x_test, y_test)


def load_mnist(split="train", data_dir=None, limit=None):
    """Load MNIST as float32 images in [-1, 1] with shape (N, 28, 28, 1) and int labels.

    Args:
        split: ``"train"`` or ``"test"``.
        data_dir: a directory holding the IDX files (gzipped or not) or a
            Keras-style ``mnist.npz``. When None, ``GANLAB_DATA_DIR`` is used,
            then the Keras cache, then a download through Keras.
        limit: keep only the first ``limit`` examples (None keeps all).

    Returns:
        ``(images, labels)``: float32 array (N, 28, 28, 1) scaled to [-1, 1]
        and int64 array (N,).

    Raises:
        ValueError: for a bad ``split`` or ``limit``, or a malformed or truncated file.
        FileNotFoundError: if a named directory does not exist or holds no MNIST,
            or nothing is found and the download fails.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}.")

    looked = []
    raw = None
    for directory, origin in ((data_dir, "data_dir"), (os.environ.get("GANLAB_DATA_DIR"), "GANLAB_DATA_DIR")):
        if not directory:
            continue
        directory = Path(directory).expanduser()
        if not directory.is_dir():
            raise FileNotFoundError(
                f"{origin}={str(directory)!r} is not a directory. Point it at the directory that holds "
                "the MNIST IDX files (train-images-idx3-ubyte.gz, ...) or a Keras mnist.npz."
            )
        raw = _read_split_from_directory(directory, split)
        if raw is None:
            raise FileNotFoundError(
                f"{origin}={str(directory)!r} holds neither {MNIST_FILES[split][0]}[.gz] and "
                f"{MNIST_FILES[split][1]}[.gz] nor mnist.npz."
            )
        break
    if raw is None:
        cached = _keras_cache_file()
        looked.append(f"data_dir: {data_dir!r}")
        looked.append(f"GANLAB_DATA_DIR: {os.environ.get('GANLAB_DATA_DIR')!r}")
        looked.append(f"Keras cache: {cached}")
        raw = _read_npz(cached, split) if cached.is_file() else _download_through_keras(split, looked)

    images, labels = raw
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    images = (images.astype(np.float32) / 127.5 - 1.0)[..., None]
    return images, labels.astype(np.int64)


# --------------------------------------------------------------------------- 2D toy data


@dataclass(frozen=True)
class ToyDistribution:
    """A mixture of equal-weight isotropic Gaussians in 2D: its centres and its std."""

    name: str
    centres: np.ndarray
    std: float

    def sample(self, n, seed=None):
        """Draw ``n`` points (float32, shape (n, 2)); the same seed gives the same points."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        rng = np.random.default_rng(seed)
        modes = rng.integers(0, len(self.centres), size=n)
        points = self.centres[modes] + self.std * rng.standard_normal((n, 2))
        return points.astype(np.float32)


def ring_distribution(modes=8, radius=2.0, std=0.02):
    """Gaussians centred at radius * (cos, sin)(2 pi k / modes), k = 0..modes-1."""
    if modes < 1 or radius <= 0 or std <= 0:
        raise ValueError(f"need modes >= 1, radius > 0, std > 0; got {modes}, {radius}, {std}.")
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return ToyDistribution(f"ring{modes}", centres, float(std))


def grid_distribution(side=5, spacing=2.0, std=0.02):
    """Gaussians on a side x side grid with the given spacing, centred on the origin."""
    if side < 1 or spacing <= 0 or std <= 0:
        raise ValueError(f"need side >= 1, spacing > 0, std > 0; got {side}, {spacing}, {std}.")
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    centres = np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)
    return ToyDistribution(f"grid{side * side}", centres, float(std))


def ring_of_gaussians(n, modes=8, radius=2.0, std=0.02, seed=None):
    """Sample ``n`` points from a ring of ``modes`` Gaussians (the classic "ring8").

    The centres are ``ring_distribution(modes, radius, std).centres``.
    """
    return ring_distribution(modes, radius, std).sample(n, seed)


def grid_of_gaussians(n, side=5, spacing=2.0, std=0.02, seed=None):
    """Sample ``n`` points from a grid of side**2 Gaussians (the classic "grid25").

    The centres are ``grid_distribution(side, spacing, std).centres``.
    """
    return grid_distribution(side, spacing, std).sample(n, seed)


TOY_DISTRIBUTIONS = {"ring8": ring_distribution, "grid25": grid_distribution}


def toy_distribution(name):
    """Return the :class:`ToyDistribution` called ``"ring8"`` or ``"grid25"``."""
    if name not in TOY_DISTRIBUTIONS:
        raise ValueError(f"unknown toy data set {name!r}; choose one of {sorted(TOY_DISTRIBUTIONS)}.")
    return TOY_DISTRIBUTIONS[name]()


# --------------------------------------------------------------------------- tf.data


def make_dataset(*arrays, batch_size=64, shuffle=True, seed=None):
    """Build a cached, shuffled, batched and prefetched ``tf.data.Dataset``.

    With one array the dataset yields batches of it; with two (images, labels)
    it yields tuples. All per-step work happens inside tf.data, none in Python.

    Args:
        *arrays: one or more numpy arrays with the same first dimension.
        batch_size: examples per batch; the last batch may be smaller.
        shuffle: reshuffle every epoch.
        seed: seed of the shuffle.
    """
    import tensorflow as tf

    if not arrays:
        raise ValueError("make_dataset needs at least one array.")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"all arrays must have the same length, got lengths {sorted(lengths)}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    data = arrays[0] if len(arrays) == 1 else tuple(arrays)
    dataset = tf.data.Dataset.from_tensor_slices(data).cache()
    if shuffle:
        dataset = dataset.shuffle(lengths.pop(), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
