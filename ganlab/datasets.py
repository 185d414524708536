"""Data for the book: MNIST (offline-first), 2D toy mixtures, and a tf.data pipeline.

MNIST is looked for, in order, in ``data_dir``, in the directory named by the
environment variable ``GANLAB_DATA_DIR``, in the Keras cache
(``~/.keras/datasets/mnist.npz``), and only then downloaded through Keras.
"""

import gzip
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganlab._checks import positive_int

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
        if len(labels) and labels.max() >= MNIST_CLASSES:
            raise ValueError(f"{label_path} holds label {int(labels.max())}; MNIST's labels are the digits "
                             f"0-{MNIST_CLASSES - 1}. Re-download the file.")
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
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"{path} could not be read ({error}); the file is corrupt or truncated.") from None
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"{path}: x_{split} has shape {images.shape} and y_{split} {labels.shape}; "
                         "expected (N, 28, 28) and (N,).")
    if len(labels) and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{path}: y_{split} must hold the digits 0-9 as integers, got {labels.dtype} values "
                         f"from {labels.min()} to {labels.max()}.")
    if np.issubdtype(images.dtype, np.floating):  # some copies store the pixels as floats in [0, 1] or [0, 255]
        low, high = float(images.min()), float(images.max())
        if low < 0 or high > 255:
            raise ValueError(f"{path}: x_{split} holds floats from {low:g} to {high:g}; expected pixels in "
                             "[0, 255] (uint8) or [0, 1].")
        images = np.rint(images * (255.0 if high <= 1.0 else 1.0))
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
    positive_int("limit", limit, allow_none=True)

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
        n = positive_int("n", n)
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
    positive_int("batch_size", batch_size)
    data = arrays[0] if len(arrays) == 1 else tuple(arrays)
    dataset = tf.data.Dataset.from_tensor_slices(data).cache()
    if shuffle:
        dataset = dataset.shuffle(lengths.pop(), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- paintings and folders of images

PAINTINGS_DIR = Path(__file__).resolve().parent / "assets" / "paintings"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
IMAGE_SIZES = (16, 32, 64, 128, 256)
DEFAULT_SCALE = (0.25, 0.5)
MAX_UPSAMPLING = 2.0
DEFAULT_CACHE_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Painting:
    """One of the eight public-domain paintings shipped with the package, with its credit.

    The shipped file is a resized copy (sRGB, longer side at most 640 px, JPEG
    quality 90); ``assets/paintings/README.md`` says where the originals come
    from and why they are free to ship.

    Attributes:
        key: short name used on the command line, e.g. ``"starry_night"``.
        title: the work's title as the credits give it; an uncertain or
            alternative title is kept in it ("The Wreck of a Transport Ship
            (often titled The Shipwreck of the Minotaur)").
        artist: the artist's name, with "attributed to" where the attribution
            is not certain.
        lived: the artist's life dates, e.g. ``"1853-1890"``.
        year: when the work was made, as a string ("1889", "c. 1831", "Edo period").
        path: the shipped JPEG file.
    """

    key: str
    title: str
    artist: str
    lived: str
    year: str
    path: Path

    @property
    def credit(self):
        """``"The Starry Night, Vincent van Gogh, 1889"``: work, artist, year, for captions."""
        return f"{self.title}, {self.artist}, {self.year}"


_PAINTINGS = tuple(
    Painting(key, title, artist, lived, year, PAINTINGS_DIR / filename)
    for key, title, artist, lived, year, filename in (
        ("starry_night", "The Starry Night", "Vincent van Gogh", "1853-1890", "1889",
         "van_gogh_starry_night.jpg"),
        ("great_wave", "The Great Wave off Kanagawa", "Katsushika Hokusai", "1760-1849", "c. 1831",
         "hokusai_great_wave.jpg"),
        ("scream", "The Scream", "Edvard Munch", "1863-1944", "1893", "munch_the_scream.jpg"),
        ("shipwreck", "The Wreck of a Transport Ship (often titled The Shipwreck of the Minotaur)",
         "J. M. W. Turner", "1775-1851", "c. 1810", "turner_shipwreck_of_the_minotaur.jpg"),
        ("water_lilies", "Water Lilies", "Claude Monet", "1840-1926", "1919", "monet_water_lilies_1919.jpg"),
        ("blossoming_tree", "a blossoming tree on a gold ground (Rinpa screen painting)",
         "attributed to Sakai Hoitsu", "1761-1828", "Edo period", "sakai_hoitsu_blossoming_tree.jpg"),
        ("udnie", "Udnie (Young American Girl; The Dance)", "Francis Picabia", "1879-1953", "1913",
         "picabia_udnie.jpg"),
        ("woman_with_a_hat", "Woman with a Hat", "Henri Matisse", "1869-1954", "1905",
         "matisse_woman_with_a_hat.jpg"),
    )
)


def paintings():
    """Return the eight shipped paintings, always in the same order.

    The order is fixed: a conditional model's label for a painting is its index
    in this tuple (0 is The Starry Night, 7 is Woman with a Hat).
    """
    return _PAINTINGS


def painting(key):
    """Return the :class:`Painting` called ``key`` (e.g. ``"great_wave"``).

    Raises:
        ValueError: for an unknown key; the message lists the known ones.
    """
    for candidate in _PAINTINGS:
        if candidate.key == key:
            return candidate
    raise ValueError(f"unknown painting {key!r}; choose one of {', '.join(p.key for p in _PAINTINGS)}.")


def check_image_size(size):
    """Return ``size`` as an int if it is a supported square image size (a power of two from 16 to 256).

    Raises:
        ValueError: ``"size must be a power of two from 16 to 256, got 48"``.
    """
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size not in IMAGE_SIZES:
        raise ValueError(f"size must be a power of two from {IMAGE_SIZES[0]} to {IMAGE_SIZES[-1]}, got {size!r}; "
                         f"choose one of {IMAGE_SIZES}.")
    return int(size)


def check_channels(channels):
    """Return ``channels`` as an int if it is 1 (grey) or 3 (RGB), else raise ValueError."""
    if isinstance(channels, (bool, np.bool_)) or not isinstance(channels, (int, np.integer)) or channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels!r}.")
    return int(channels)


def _to_srgb(image):
    """Convert an RGB or CMYK image tagged with an ICC profile (e.g. Adobe RGB) to sRGB; else leave it."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        import io

        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except Exception:  # a broken or unsupported profile: use the pixel values as they are
        return image


def _decode(path, channels, reduce=1):
    """Decode an image file into a PIL image of mode "RGB" (channels=3) or "L" (channels=1).

    See :func:`load_image` for the conversions. With ``reduce`` > 1 (a power of
    two) the image is shrunk about ``reduce`` times, to ceil(W / reduce) x
    ceil(H / reduce) or a little more: JPEG's decoder does it for free while
    decoding (``draft``), other formats are averaged over reduce x reduce blocks.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            full_width = image.width
            if reduce > 1:
                image.draft(image.mode, (image.width // reduce, image.height // reduce))  # JPEG only
            image.load()
            remaining = reduce // max(1, round(full_width / image.width))  # what draft did not do
            image = ImageOps.exif_transpose(image)
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not an image file that can be read (JPEG, PNG or WebP); "
                         "remove it from the folder or convert it.") from None
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}.") from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as error:
        raise ValueError(f"{path} is truncated or corrupt ({error}); re-export or re-download it.") from None
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):  # 16-bit grey PNG: scale, do not clip
        image = Image.fromarray((np.asarray(image, dtype=np.float64) / 257.0).round().clip(0, 255).astype(np.uint8))
    elif image.mode == "F":
        raise ValueError(f"{path} holds floating-point pixels (mode F); save it as an 8-bit image.")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("LA", "La", "PA", "RGBa") or (image.mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA")
    if image.mode == "RGBA":  # composite on white, as on paper
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("RGB")
    image = _to_srgb(image).convert("RGB" if channels == 3 else "L")
    return image.reduce(remaining) if remaining > 1 else image


def load_image(path, channels=3):
    """Read a JPEG, PNG or WebP file as float32 pixels (H, W, channels) in [-1, 1].

    Pixel value v in 0..255 becomes v / 127.5 - 1. Conversions:

    - grey (also 1-bit and 16-bit), RGB, CMYK and palette images become RGB
      (channels=3) or grey (channels=1; grey = 0.299 R + 0.587 G + 0.114 B,
      PIL's ITU-R 601 luma);
    - transparency (RGBA, grey + alpha, a palette with a transparent colour) is
      composited on white, as the picture would look on paper; dropping alpha
      instead would show whatever colour the file stores under transparent
      pixels, often black;
    - an embedded ICC profile (e.g. Adobe RGB) is converted to sRGB, and an
      EXIF orientation tag is applied, so photos stand the right way up;
    - an animated file gives its first frame.

    Args:
        path: the image file.
        channels: 3 for RGB, 1 for grey.

    Returns:
        float32 array (H, W, channels) in [-1, 1].

    Raises:
        ValueError: one line naming the file, if it is missing or unreadable,
            not an image, or truncated; or for channels other than 1 or 3.
    """
    channels = check_channels(channels)
    pixels = np.asarray(_decode(Path(path), channels), dtype=np.float32)
    return (pixels / 127.5 - 1.0).reshape(pixels.shape[0], pixels.shape[1], channels)


def _is_image_name(path):
    return path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def image_files(source):
    """Return the image files that ``source`` names, as a list of Paths.

    Args:
        source: ``"paintings"`` (the eight shipped paintings, in the order of
            :func:`paintings`), a painting key such as ``"starry_night"``, a
            folder, or one image file. A folder gives its files whose names end
            in .jpg, .jpeg, .png or .webp (any case), sorted by name; it is not
            searched recursively, and other files, as well as hidden ones
            (``.name``, e.g. macOS's ``._photo.jpg``), are ignored. A file with an
            image extension that cannot be decoded is reported when it is
            loaded. The names "paintings" and the painting keys take precedence
            over a folder of the same name: write ``./paintings`` for the folder.

    Returns:
        list of Paths; for ``"paintings"`` the label of a file is its index.

    Raises:
        ValueError: if the path does not exist, a folder holds no image files,
            or a single file does not have an image extension.
    """
    if isinstance(source, str):
        if source == "paintings":
            return [p.path for p in _PAINTINGS]
        if source in {p.key for p in _PAINTINGS}:
            return [painting(source).path]
    path = Path(source).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and _is_image_name(p))
        if not files:
            folders = sum(1 for p in path.iterdir() if p.is_dir())
            inside = f"; it has {folders} subfolder(s), which are not searched" if folders else ""
            raise ValueError(f"folder {str(path)!r} holds no image files ({', '.join(IMAGE_EXTENSIONS)}){inside}.")
        return files
    if path.is_file():
        if path.suffix.lower() not in IMAGE_EXTENSIONS:
            raise ValueError(f"{str(path)!r} does not end in an image extension ({', '.join(IMAGE_EXTENSIONS)}).")
        return [path]
    raise ValueError(f"no such file or folder: {str(source)!r}; pass 'paintings', a painting key "
                     f"({', '.join(p.key for p in _PAINTINGS)}), a folder of images or an image file.")


def _check_scale(scale):
    try:
        low, high = (float(s) for s in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a pair (low, high), got {scale!r}.") from None
    if not 0.0 < low <= high <= 1.0:
        raise ValueError(f"scale must satisfy 0 < low <= high <= 1, got {scale!r}.")
    return low, high


class ImageCache:
    """A least-recently-used cache of decoded images, bounded in bytes.

    Holds PIL images (one byte per pixel and channel). An image larger than the
    whole budget is decoded for each use and never kept.

    Attributes:
        max_bytes: the budget.
        nbytes: bytes held now.
        peak_nbytes: the most bytes ever held.
        hits, misses: lookups answered from the cache / by decoding.
    """

    def __init__(self, max_bytes=DEFAULT_CACHE_BYTES):
        import threading
        from collections import OrderedDict

        if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
            raise ValueError(f"the cache budget must be a number of bytes >= 0, got {max_bytes!r}.")
        self.max_bytes = int(max_bytes)
        self.nbytes = self.peak_nbytes = self.hits = self.misses = 0
        self._images = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._images)

    def get(self, path, channels, reduce=1):
        """Return ``path`` decoded as by :func:`load_image` (a PIL image of mode RGB or L), shrunk
        about ``reduce`` times."""
        key = (str(path), channels, reduce)
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)
                self.hits += 1
                return self._images[key]
            self.misses += 1
        image = _decode(Path(path), channels, reduce)
        size = image.width * image.height * len(image.getbands())
        with self._lock:
            if size <= self.max_bytes and key not in self._images:
                while self.nbytes + size > self.max_bytes:
                    _, evicted = self._images.popitem(last=False)
                    self.nbytes -= evicted.width * evicted.height * len(evicted.getbands())
                self._images[key] = image
                self.nbytes += size
                self.peak_nbytes = max(self.peak_nbytes, self.nbytes)
        return image


class CropSampler:
    """Random square crops of a set of image files: the one crop function behind
    :func:`random_crops` and :func:`image_crops`.

    Each crop, in turn, draws from the generator passed in: the file (uniformly
    among the files, not by area), the relative side s ~ Uniform(low, high), the
    crop's side ``round(s * min(H, W))`` pixels, its top-left corner uniformly
    among the positions inside the image, and a coin for a horizontal flip
    (drawn always, used only with ``flip=True``, so flipping mirrors some of the
    same crops). The square is resized to ``size`` x ``size`` by PIL's bicubic
    filter, which widens with the shrink factor so that it averages over the
    source pixels (antialiased, no aliasing of fine brushwork). It is within
    1% (mean absolute difference 2/255) of PIL's Lanczos filter at half its
    cost; the box filter is cheaper still but blurrier (6/255 from Lanczos).

    Constructing it reads every file's header (not its pixels) to check sizes;
    pixels are decoded on demand through an :class:`ImageCache`. A large image
    is decoded shrunk by the largest factor r in 1, 2, 4, 8 that keeps its
    smallest crops at least ``size`` pixels wide (JPEG decodes at 1/2, 1/4,
    1/8 scale for free), so a 4000 x 3000 photo cut into 64-pixel crops costs
    0.6 MB of cache rather than 36 MB, and decodes several times faster. Crop
    positions are drawn in the full image's pixels either way.

    Raises:
        ValueError: for a bad size, scale or channels, a source that names no
            image, a file that is not an image, or an image whose shorter side
            is below ``size`` or whose smallest crop would be enlarged more than
            ``MAX_UPSAMPLING`` (2) times.
    """

    def __init__(self, source, size, scale=DEFAULT_SCALE, channels=3, flip=False, cache_bytes=DEFAULT_CACHE_BYTES):
        from PIL import Image, UnidentifiedImageError

        self.size = check_image_size(size)
        self.scale = _check_scale(scale)
        self.channels = check_channels(channels)
        self.flip = bool(flip)
        self.files = image_files(source)
        self.cache = ImageCache(cache_bytes)
        self.shapes, self.reductions = [], []
        for path in self.files:
            try:
                with Image.open(path) as image:
                    width, height = image.size
                    if image.getexif().get(0x0112) in (5, 6, 7, 8):  # shown turned by 90 degrees
                        width, height = height, width
            except UnidentifiedImageError:
                raise ValueError(f"{path} is not an image file that can be read (JPEG, PNG or WebP); "
                                 "remove it from the folder or convert it.") from None
            except (OSError, SyntaxError, ValueError, EOFError) as error:
                raise ValueError(f"cannot read {path} ({error}).") from None
            shortest = min(width, height)
            if shortest < self.size:
                raise ValueError(f"{path} is {width} x {height} pixels, smaller than the {self.size} x {self.size} "
                                 "crop; use a smaller size or remove the image.")
            smallest_crop = max(1, round(self.scale[0] * shortest))
            if self.size > MAX_UPSAMPLING * smallest_crop:
                raise ValueError(
                    f"{path} ({width} x {height}) at scale {self.scale[0]:g} gives {smallest_crop}-pixel crops, "
                    f"which a {self.size}-pixel crop would enlarge more than {MAX_UPSAMPLING:g} times; "
                    f"raise scale's low end to at least {self.size / (MAX_UPSAMPLING * shortest):.2f} or use a "
                    "smaller size.")
            self.shapes.append((height, width))
            self.reductions.append(max([1] + [r for r in (2, 4, 8) if smallest_crop >= r * self.size]))

    def crop(self, rng):
        """Draw one crop with ``rng`` (a numpy Generator): (float32 (size, size, channels) in [-1, 1], label)."""
        from PIL import Image

        label = int(rng.integers(len(self.files)))
        height, width = self.shapes[label]
        side = min(max(1, round(rng.uniform(*self.scale) * min(height, width))), height, width)
        left = int(rng.integers(width - side + 1))
        top = int(rng.integers(height - side + 1))
        mirror = rng.random() < 0.5
        reduce = self.reductions[label]
        image = self.cache.get(self.files[label], self.channels, reduce)
        if abs(image.width * reduce - width) >= 2 * reduce or abs(image.height * reduce - height) >= 2 * reduce:
            raise ValueError(f"{self.files[label]} changed while it was read (it was {width} x {height}).")
        x_ratio, y_ratio = image.width / width, image.height / height  # 1, or about 1 / reduce
        box = (left * x_ratio, top * y_ratio, (left + side) * x_ratio, (top + side) * y_ratio)
        crop = image.resize((self.size, self.size), Image.BICUBIC, box=box)
        pixels = np.asarray(crop, dtype=np.float32).reshape(self.size, self.size, self.channels)
        if self.flip and mirror:
            pixels = pixels[:, ::-1]
        return pixels / 127.5 - 1.0, label

    def sample(self, n, rng):
        """Draw ``n`` crops in turn: (float32 (n, size, size, channels), int32 labels (n,))."""
        images = np.empty((n, self.size, self.size, self.channels), dtype=np.float32)
        labels = np.empty(n, dtype=np.int32)
        for i in range(n):
            images[i], labels[i] = self.crop(rng)
        return images, labels


def random_crops(source, n, size, scale=DEFAULT_SCALE, channels=3, flip=False, labels=False, seed=None,
                 cache_bytes=DEFAULT_CACHE_BYTES):
    """Cut ``n`` random square crops from the images of ``source``, as a numpy array.

    How a crop is drawn is described in :class:`CropSampler`. The default scale
    (0.25, 0.5) makes crops a quarter to a half of the shorter side: on the
    shipped paintings (shorter sides 293 to 512 px) that is 73 to 256 px shrunk
    to 64, so a 64 x 64 crop shows a motif of the painting (a swirl of the
    Starry Night, the crest of the wave) with its brushwork, and there are many
    different crops of each painting rather than eight near-copies of the whole.

    The same seed gives the same crops, and the first ``n`` crops of
    :func:`image_crops` with the same arguments and seed.

    Args:
        source: ``"paintings"``, a painting key, a folder or an image file (see
            :func:`image_files`).
        n: number of crops.
        size: side of the crops, one of ``IMAGE_SIZES`` (16 to 256).
        scale: (low, high), the crop's side as a share of the image's shorter side.
        channels: 3 (RGB) or 1 (grey).
        flip: mirror half of the crops left-right (off by default: paintings
            are not mirror-symmetric).
        labels: also return each crop's label, the index of its file in
            ``image_files(source)`` (for "paintings", the painting's index).
        seed: seed of numpy's generator; None draws fresh crops each call.
        cache_bytes: budget of the cache of decoded images.

    Returns:
        float32 array (n, size, size, channels) in [-1, 1], and with
        ``labels=True`` also an int32 array (n,).

    Raises:
        ValueError: see :class:`CropSampler` and :func:`load_image`; or for n < 1.
    """
    n = positive_int("n", n)
    sampler = CropSampler(source, size, scale, channels, flip, cache_bytes)
    images, crop_labels = sampler.sample(int(n), np.random.default_rng(seed))
    return (images, crop_labels) if labels else images


def image_crops(source, size, batch_size=64, scale=DEFAULT_SCALE, channels=3, flip=False, labels=False, seed=None,
                cache_bytes=DEFAULT_CACHE_BYTES):
    """An endless ``tf.data.Dataset`` of batches of random crops, decoded on demand.

    The crops are those of :func:`random_crops` (same arguments and seed, same
    crops, in order). Files are decoded when a crop first needs them and kept
    in a least-recently-used cache of at most ``cache_bytes`` (256 MB), so a
    folder of thousands of large images is never held in memory whole; the
    eight shipped paintings take 5 MB decoded. Crops are cut in one Python
    thread and prefetched while the model trains.

    The dataset never ends: give ``fit`` a ``steps_per_epoch``, or ``take``.
    Each new iteration of the dataset starts the same sequence again when
    ``seed`` is set, and a fresh one when it is None (Keras's ``fit`` with
    ``steps_per_epoch`` keeps one iterator across epochs).
    An image that cannot be decoded stops the iteration with a TensorFlow
    error whose message names the file (sizes and headers are checked here,
    before the first batch).

    Args:
        source, size, scale, channels, flip, labels, seed, cache_bytes: as for
            :func:`random_crops`.
        batch_size: crops per batch.

    Returns:
        a ``tf.data.Dataset`` of float32 batches (batch_size, size, size,
        channels) in [-1, 1], or of (images, int32 labels (batch_size,)) with
        ``labels=True``.
    """
    import tensorflow as tf

    batch_size = positive_int("batch_size", batch_size)
    sampler = CropSampler(source, size, scale, channels, flip, cache_bytes)

    def batches():
        rng = np.random.default_rng(seed)  # with a seed, every iteration repeats the same stream
        while True:
            images, crop_labels = sampler.sample(batch_size, rng)
            yield (images, crop_labels) if labels else images

    image_spec = tf.TensorSpec((batch_size, sampler.size, sampler.size, sampler.channels), tf.float32)
    signature = (image_spec, tf.TensorSpec((batch_size,), tf.int32)) if labels else image_spec
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return dataset.prefetch(tf.data.AUTOTUNE)
