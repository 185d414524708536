"""MNIST loading (offline copy, Keras npz, broken files), the 2D toy mixtures, and make_dataset."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from ganlab import datasets
from ganlab.datasets import load_mnist

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


@pytest.fixture
def shared_mnist():
    """The offline copy beside the repository (first 22,699 training images, all 10,000 test images)."""
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"the offline MNIST copy is not at {SHARED_MNIST}")
    return SHARED_MNIST


def idx_bytes(array):
    """An unsigned-byte IDX file holding ``array`` (uint8), as MNIST's files are written."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write_idx_gz(path, array):
    with gzip.open(path, "wb") as stream:
        stream.write(idx_bytes(array))


def fake_mnist(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n, dtype=np.uint8)


# --------------------------------------------------------------------------- the offline copy


def test_shared_copy_train_split_has_22699_images_in_minus_one_to_one(shared_mnist):
    images, labels = load_mnist("train", data_dir=shared_mnist)
    assert images.shape == (22_699, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.shape == (22_699,)
    assert np.issubdtype(labels.dtype, np.integer)
    assert set(np.unique(labels)) == set(range(10))


def test_shared_copy_test_split_has_10000_images(shared_mnist):
    images, labels = load_mnist("test", data_dir=shared_mnist)
    assert images.shape == (10_000, 28, 28, 1)
    assert labels.shape == (10_000,)
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_first_training_labels_are_mnists_own(shared_mnist):
    _, labels = load_mnist("train", data_dir=shared_mnist, limit=10)
    assert labels.tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # the first ten labels of MNIST's training set


def test_limit_keeps_the_first_examples(shared_mnist):
    all_images, all_labels = load_mnist("test", data_dir=shared_mnist)
    images, labels = load_mnist("test", data_dir=shared_mnist, limit=100)
    assert images.shape == (100, 28, 28, 1)
    np.testing.assert_array_equal(images, all_images[:100])
    np.testing.assert_array_equal(labels, all_labels[:100])


def test_ganlab_data_dir_is_used_when_no_directory_is_given(shared_mnist, monkeypatch):
    monkeypatch.setenv("GANLAB_DATA_DIR", str(shared_mnist))
    images, _ = load_mnist("test", limit=5)
    assert images.shape == (5, 28, 28, 1)


@pytest.mark.parametrize("limit", [0, -3, 2.5, True, "10"])
def test_bad_limit_raises_value_error(shared_mnist, limit):
    with pytest.raises(ValueError, match="limit"):
        load_mnist("test", data_dir=shared_mnist, limit=limit)


def test_bad_split_raises_value_error(shared_mnist):
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation", data_dir=shared_mnist)


# --------------------------------------------------------------------------- files made here


def test_keras_style_npz_is_read_and_scaled(tmp_path):
    x_train, y_train = fake_mnist(7, seed=1)
    x_test, y_test = fake_mnist(3, seed=2)
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)

    images, labels = load_mnist("train", data_dir=tmp_path)
    assert images.shape == (7, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[..., 0], x_train / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(labels, y_train)
    images, labels = load_mnist("test", data_dir=tmp_path)
    assert images.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(labels, y_test)


def test_pixel_values_0_and_255_map_to_minus_one_and_one(tmp_path):
    x = np.zeros((2, 28, 28), dtype=np.uint8)
    x[1] = 255
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=np.array([0, 1]), x_test=x, y_test=np.array([0, 1]))
    images, _ = load_mnist("train", data_dir=tmp_path)
    assert np.all(images[0] == -1.0) and np.all(images[1] == 1.0)


def test_ganlab_data_dir_from_the_environment_finds_an_npz(tmp_path, monkeypatch):
    x, y = fake_mnist(4)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    monkeypatch.setenv("GANLAB_DATA_DIR", str(tmp_path))
    images, labels = load_mnist("train")
    assert images.shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(labels, y)


def test_idx_gz_files_made_here_are_read(tmp_path):
    x, y = fake_mnist(6)
    write_idx_gz(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx_gz(tmp_path / "train-labels-idx1-ubyte.gz", y)
    images, labels = load_mnist("train", data_dir=tmp_path)
    np.testing.assert_allclose(images[..., 0], x / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(labels, y)


def test_idx_file_shorter_than_its_header_raises_value_error_naming_the_file(tmp_path):
    x, y = fake_mnist(10)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(idx_bytes(x)[: 16 + 3 * 28 * 28])  # the header says 10 images; 3 are there
    write_idx_gz(tmp_path / "train-labels-idx1-ubyte.gz", y)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz") as error:
        load_mnist("train", data_dir=tmp_path)
    assert "truncated" in str(error.value)


def test_cut_off_gzip_download_raises_value_error_naming_the_file(tmp_path):
    x, y = fake_mnist(10)
    write_idx_gz(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx_gz(tmp_path / "train-labels-idx1-ubyte.gz", y)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a download that stopped halfway
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_mnist("train", data_dir=tmp_path)


def test_file_that_is_not_idx_raises_value_error(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"<html>404 Not Found</html>")
    write_idx_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(1))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte"):
        load_mnist("test", data_dir=tmp_path)


def test_missing_directory_raises_file_not_found_with_a_helpful_message(tmp_path):
    missing = tmp_path / "no-such-dir"
    with pytest.raises(FileNotFoundError) as error:
        load_mnist(data_dir=missing)
    message = str(error.value)
    assert str(missing) in message
    assert "train-images-idx3-ubyte" in message or "mnist.npz" in message


def test_missing_ganlab_data_dir_raises_file_not_found_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="GANLAB_DATA_DIR"):
        load_mnist()


def test_directory_without_mnist_raises_file_not_found_listing_what_it_wants(tmp_path):
    (tmp_path / "notes.txt").write_text("not mnist")
    with pytest.raises(FileNotFoundError) as error:
        load_mnist("test", data_dir=tmp_path)
    assert "t10k-images-idx3-ubyte" in str(error.value) and "mnist.npz" in str(error.value)


def test_images_and_labels_of_different_lengths_raise_value_error(tmp_path):
    x, y = fake_mnist(5)
    write_idx_gz(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx_gz(tmp_path / "train-labels-idx1-ubyte.gz", y[:4])
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        load_mnist("train", data_dir=tmp_path)


# --------------------------------------------------------------------------- 2D toy data


def test_ring_has_8_distinct_modes_at_multiples_of_2pi_over_8():
    ring = datasets.ring_distribution()
    angles = 2 * np.pi * np.arange(8) / 8
    expected = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    np.testing.assert_allclose(ring.centres, expected, atol=1e-12)
    assert len(np.unique(np.round(ring.centres, 6), axis=0)) == 8


def test_grid_has_25_centres_on_a_5_by_5_lattice_around_the_origin():
    grid = datasets.grid_distribution()
    assert grid.centres.shape == (25, 2)
    assert len(np.unique(np.round(grid.centres, 6), axis=0)) == 25
    ticks = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    assert set(np.round(grid.centres[:, 0], 6)) == set(ticks)
    assert set(np.round(grid.centres[:, 1], 6)) == set(ticks)
    np.testing.assert_allclose(grid.centres.mean(axis=0), [0.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_samples_lie_near_centres_and_cover_every_mode(name, modes):
    distribution = datasets.toy_distribution(name)
    points = distribution.sample(4000, seed=0)
    assert points.shape == (4000, 2) and points.dtype == np.float32
    distances = np.linalg.norm(points[:, None, :] - distribution.centres[None], axis=-1)
    assert distances.min(axis=1).max() < 10 * distribution.std  # every point is near some centre
    assert len(np.unique(distances.argmin(axis=1))) == modes


@pytest.mark.parametrize("sampler", [datasets.ring_of_gaussians, datasets.grid_of_gaussians])
def test_toy_samples_are_reproducible_with_a_seed(sampler):
    np.testing.assert_array_equal(sampler(500, seed=3), sampler(500, seed=3))
    assert not np.array_equal(sampler(500, seed=3), sampler(500, seed=4))


def test_unknown_toy_distribution_raises_value_error():
    with pytest.raises(ValueError, match="ring8"):
        datasets.toy_distribution("spiral")


@pytest.mark.parametrize("n", [0, -1, 1.5])
def test_bad_sample_size_raises_value_error(n):
    with pytest.raises(ValueError):
        datasets.ring_distribution().sample(n)


# --------------------------------------------------------------------------- tf.data


def test_make_dataset_batches_every_example_once_per_epoch():
    images = np.arange(10, dtype=np.float32).reshape(10, 1)
    labels = np.arange(10)
    dataset = datasets.make_dataset(images, labels, batch_size=4, seed=0)
    batches = list(dataset.as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    seen_images = np.concatenate([b[0] for b in batches]).ravel()
    seen_labels = np.concatenate([b[1] for b in batches])
    assert sorted(seen_images.tolist()) == list(range(10))
    np.testing.assert_array_equal(seen_images, seen_labels)  # images and labels stay paired


def test_make_dataset_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        datasets.make_dataset(np.zeros(3), np.zeros(4))
