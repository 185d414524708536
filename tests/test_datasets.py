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


def test_an_npz_of_float_pixels_in_0_1_is_read_as_the_same_digits(tmp_path):
    x_train, y_train = fake_mnist(4, seed=3)
    np.savez(tmp_path / "mnist.npz", x_train=x_train / 255.0, y_train=y_train, x_test=x_train, y_test=y_train)
    images, _ = load_mnist("train", data_dir=tmp_path)
    np.testing.assert_allclose(images[..., 0], x_train / 127.5 - 1.0, atol=1e-6)  # not all black


@pytest.mark.parametrize("change, message", [
    (dict(x_train=np.full((2, 28, 28), 300.0)), "floats from 300 to 300"),
    (dict(y_train=np.array([0, 12])), "digits 0-9"),
])
def test_an_npz_with_impossible_pixels_or_labels_is_refused(tmp_path, change, message):
    arrays = dict(x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.array([0, 1]),
                  x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.array([0, 1]))
    np.savez(tmp_path / "mnist.npz", **{**arrays, **change})
    with pytest.raises(ValueError, match=message):
        load_mnist("train", data_dir=tmp_path)


def test_a_truncated_npz_is_named_as_corrupt(tmp_path):
    arrays = dict(x_train=np.zeros((20, 28, 28), np.uint8), y_train=np.zeros(20, np.int64))
    np.savez(tmp_path / "mnist.npz", **arrays, x_test=arrays["x_train"], y_test=arrays["y_train"])
    data = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_mnist("train", data_dir=tmp_path)


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


def test_idx_labels_outside_the_ten_digits_are_refused_naming_the_file(tmp_path):
    x, y = fake_mnist(6)
    write_idx_gz(tmp_path / "train-images-idx3-ubyte.gz", x)
    write_idx_gz(tmp_path / "train-labels-idx1-ubyte.gz", y + 10)  # 10-19: no digit
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.gz holds label 1\d; MNIST's labels are the "
                                         r"digits 0-9"):
        load_mnist("train", data_dir=tmp_path)


def test_an_npz_whose_compressed_data_is_damaged_is_named_as_corrupt(tmp_path):
    x, y = fake_mnist(20)
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, x_train=x, y_train=y, x_test=x, y_test=y)
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data) // 2, 7):  # damage the deflated pixels, keep the zip's directory
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_mnist("train", data_dir=tmp_path)


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


# --------------------------------------------------------------------------- paintings and folders of images

from PIL import Image  # noqa: E402

from ganlab.datasets import (  # noqa: E402
    CropSampler,
    ImageCache,
    check_image_size,
    image_crops,
    image_files,
    load_image,
    painting,
    paintings,
    random_crops,
)


def save(path, array, **kwargs):
    """Write a uint8 array (H, W[, C]) with PIL; the format follows the extension."""
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path, **kwargs)
    return path


def solid(height, width, colour):
    return np.broadcast_to(np.array(colour, dtype=np.uint8), (height, width, 3)).copy()


def readme_rows():
    """(file, work, artist, lived, year) from the table of the shipped README."""
    rows = []
    for line in (datasets.PAINTINGS_DIR / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".jpg"):
            artist, lived = cells[2].rsplit(" (", 1)
            rows.append((cells[0], cells[1], artist, lived.rstrip(")"), cells[3]))
    return rows


def test_eight_paintings_are_shipped_and_their_credits_match_the_readme():
    rows = readme_rows()
    assert len(rows) == 8
    by_file = {row[0]: row for row in rows}
    assert sorted(p.path.name for p in paintings()) == sorted(by_file)
    for p in paintings():
        _, work, artist, lived, year = by_file[p.path.name]
        assert (p.title, p.artist, p.lived, p.year) == (work, artist, lived, year)
        assert p.credit == f"{work}, {artist}, {year}"
        assert p.path.is_file()


def test_credit_reads_work_artist_year_and_keeps_uncertain_attribution():
    assert painting("starry_night").credit == "The Starry Night, Vincent van Gogh, 1889"
    assert painting("blossoming_tree").artist.startswith("attributed to Sakai Hoitsu")
    assert "often titled The Shipwreck of the Minotaur" in painting("shipwreck").title


def test_paintings_come_in_a_fixed_order_with_unique_keys():
    keys = [p.key for p in paintings()]
    assert keys[0] == "starry_night" and keys[-1] == "woman_with_a_hat"
    assert len(set(keys)) == 8
    assert paintings() == paintings()
    assert image_files("paintings") == [p.path for p in paintings()]
    assert image_files("great_wave") == [painting("great_wave").path]


def test_unknown_painting_raises_value_error_listing_the_keys():
    with pytest.raises(ValueError, match="starry_night.*woman_with_a_hat"):
        painting("mona_lisa")


def test_shipped_paintings_are_about_one_megabyte_with_a_longer_side_of_at_most_640():
    total = sum(p.path.stat().st_size for p in paintings())
    assert 0.7e6 < total < 1.3e6
    for p in paintings():
        with Image.open(p.path) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert max(image.size) <= 640 and min(image.size) >= 256


@pytest.mark.parametrize("size", [16, 32, 64, 128, 256])
def test_supported_image_sizes_are_returned_as_int(size):
    assert check_image_size(np.int64(size)) == size and type(check_image_size(size)) is int


@pytest.mark.parametrize("size", [48, 8, 512, 64.0, True, "64"])
def test_unsupported_image_size_raises_value_error_naming_it(size):
    with pytest.raises(ValueError, match=f"power of two from 16 to 256, got {size!r}"):
        check_image_size(size)


# ------------------------------------------------------------------ load_image


def test_rgb_png_is_scaled_to_minus_one_one_as_float32(tmp_path):
    pixels = np.array([[[0, 255, 51], [102, 204, 255]]], dtype=np.uint8)
    image = load_image(save(tmp_path / "a.png", pixels))
    assert image.dtype == np.float32 and image.shape == (1, 2, 3)
    np.testing.assert_allclose(image, pixels / 127.5 - 1.0, atol=1e-6)


def test_grey_image_becomes_rgb_with_equal_channels_or_stays_grey(tmp_path):
    pixels = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    path = save(tmp_path / "grey.png", pixels)
    rgb = load_image(path)
    assert rgb.shape == (2, 2, 3)
    np.testing.assert_allclose(rgb, np.repeat((pixels / 127.5 - 1.0)[..., None], 3, axis=2), atol=1e-6)
    np.testing.assert_allclose(load_image(path, channels=1)[..., 0], pixels / 127.5 - 1.0, atol=1e-6)


def test_rgb_image_in_grey_uses_itu_601_luma(tmp_path):
    path = save(tmp_path / "red.png", solid(2, 2, (200, 100, 50)))
    luma = round(200 * 0.299 + 100 * 0.587 + 50 * 0.114)  # 124
    np.testing.assert_allclose(load_image(path, channels=1), luma / 127.5 - 1.0, atol=1 / 127.5)


def test_transparent_pixels_of_rgba_are_composited_on_white(tmp_path):
    rgba = np.array([[[0, 0, 0, 0], [0, 0, 0, 255], [255, 0, 0, 128]]], dtype=np.uint8)
    image = load_image(save(tmp_path / "rgba.png", rgba))
    expected = np.array([[255, 255, 255], [0, 0, 0], [255, 255 * 127 / 255, 255 * 127 / 255]])
    np.testing.assert_allclose(image[0], expected / 127.5 - 1.0, atol=1.5 / 127.5)


def test_palette_image_is_converted_to_rgb_or_grey(tmp_path):
    palette_image = Image.fromarray(np.array([[0, 1], [1, 0]], dtype=np.uint8), mode="P")
    palette_image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette_image.save(tmp_path / "p.png")
    rgb = load_image(tmp_path / "p.png")
    np.testing.assert_allclose(rgb[0, 0], [1, -1, -1])
    np.testing.assert_allclose(rgb[0, 1], [-1, -1, 1])
    grey = load_image(tmp_path / "p.png", channels=1)
    assert grey.shape == (2, 2, 1)
    np.testing.assert_allclose(grey[0, 0, 0], round(255 * 0.299) / 127.5 - 1.0, atol=1e-6)


def test_lossless_webp_is_read(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    image = load_image(save(tmp_path / "a.webp", pixels, lossless=True))
    np.testing.assert_allclose(image, pixels / 127.5 - 1.0, atol=1e-6)


def test_truncated_jpeg_raises_value_error_naming_the_file(tmp_path):
    path = save(tmp_path / "whole.jpg", np.random.default_rng(0).integers(0, 256, (64, 64, 3)), quality=95)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"cut\.jpg is truncated"):
        load_image(cut)


def test_file_that_is_not_an_image_raises_value_error_naming_it(tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture")
    with pytest.raises(ValueError, match=r"notes\.png is not an image"):
        load_image(fake)


def test_missing_image_raises_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"cannot read .*gone\.png"):
        load_image(tmp_path / "gone.png")


@pytest.mark.parametrize("channels", [0, 2, 4, True])
def test_channels_other_than_one_or_three_raise_value_error(tmp_path, channels):
    with pytest.raises(ValueError, match="channels must be 1"):
        load_image(save(tmp_path / "a.png", solid(2, 2, (0, 0, 0))), channels=channels)


# ------------------------------------------------------------------ image_files


def test_folder_gives_its_image_files_sorted_without_other_files_or_subfolders(tmp_path):
    for name in ("b.PNG", "a.jpg", "c.webp"):
        save(tmp_path / name, solid(4, 4, (1, 2, 3)))
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "._a.jpg").write_bytes(b"\x00\x05\x16\x07")  # macOS resource fork
    (tmp_path / "sub").mkdir()
    save(tmp_path / "sub" / "d.png", solid(4, 4, (1, 2, 3)))
    assert [p.name for p in image_files(tmp_path)] == ["a.jpg", "b.PNG", "c.webp"]
    assert image_files(str(tmp_path / "a.jpg")) == [tmp_path / "a.jpg"]


def test_empty_folder_raises_value_error_naming_it(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match=r"empty' holds no image files"):
        image_files(tmp_path / "empty")


def test_missing_path_raises_value_error_saying_what_a_source_can_be(tmp_path):
    with pytest.raises(ValueError, match="no such file or folder.*'paintings', a painting key"):
        image_files(tmp_path / "nowhere")


def test_file_without_an_image_extension_raises_value_error(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(ValueError, match="does not end in an image extension"):
        image_files(tmp_path / "a.txt")


def test_folder_with_a_broken_image_reports_it_when_crops_are_cut(tmp_path):
    save(tmp_path / "a.png", solid(64, 64, (1, 2, 3)))
    (tmp_path / "b.png").write_text("not a picture")
    assert len(image_files(tmp_path)) == 2
    with pytest.raises(ValueError, match=r"b\.png is not an image"):
        random_crops(tmp_path, 4, 16, seed=0)


# ------------------------------------------------------------------ crops


def test_crops_of_the_paintings_have_the_asked_shape_range_and_labels():
    images, labels = random_crops("paintings", 40, 32, labels=True, seed=0)
    assert images.shape == (40, 32, 32, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0 and images.std() > 0.1
    assert labels.dtype == np.int32 and labels.shape == (40,)
    assert set(labels.tolist()) <= set(range(8)) and len(set(labels.tolist())) >= 6
    grey = random_crops("starry_night", 3, 16, channels=1, seed=0)
    assert grey.shape == (3, 16, 16, 1)


def test_same_seed_gives_the_same_crops_and_another_seed_others():
    first = random_crops("paintings", 6, 16, seed=3)
    np.testing.assert_array_equal(first, random_crops("paintings", 6, 16, seed=3))
    assert not np.allclose(first, random_crops("paintings", 6, 16, seed=4))


def test_every_crop_has_the_colour_of_the_image_its_label_names(tmp_path):
    colours = [(255, 0, 0), (0, 0, 255)]
    for name, colour in zip(("a_red.png", "b_blue.png"), colours):
        save(tmp_path / name, solid(40, 50, colour))
    images, labels = random_crops(tmp_path, 50, 16, labels=True, seed=0)
    assert set(labels.tolist()) == {0, 1}
    expected = np.array(colours)[labels] / 127.5 - 1.0
    np.testing.assert_allclose(images, np.broadcast_to(expected[:, None, None, :], images.shape), atol=1e-5)


def half_black_half_white(tmp_path):
    """64 x 100, black left of x = 50: every 64-px square holds x = 36..63, so its left edge is black, right white."""
    pixels = np.zeros((64, 100, 3), dtype=np.uint8)
    pixels[:, 50:] = 255
    return save(tmp_path / "halves.png", pixels)


def test_without_flip_the_left_column_of_a_crop_is_always_dark(tmp_path):
    images = random_crops(half_black_half_white(tmp_path), 60, 16, scale=(1.0, 1.0), seed=0)
    assert np.all(images[:, :, 0] < -0.9) and np.all(images[:, :, -1] > 0.9)


def test_flip_mirrors_about_half_of_the_same_crops(tmp_path):
    path = half_black_half_white(tmp_path)
    plain = random_crops(path, 200, 16, scale=(1.0, 1.0), seed=1)
    flipped = random_crops(path, 200, 16, scale=(1.0, 1.0), flip=True, seed=1)
    mirrored = np.array([not np.array_equal(a, b) for a, b in zip(plain, flipped)])
    np.testing.assert_array_equal(flipped[mirrored], plain[mirrored][:, :, ::-1])
    assert 70 < mirrored.sum() < 130
    assert np.all(flipped[mirrored][:, :, 0] > 0.9)  # the mirrored ones start white


def test_shrinking_a_crop_averages_stripes_finer_than_its_pixels(tmp_path):
    pixels = np.zeros((32, 32, 3), dtype=np.uint8)
    pixels[::2] = 200  # stripes one pixel high: shrinking by two (antialiased) averages them to 100
    images = random_crops(save(tmp_path / "stripes.png", pixels), 2, 16, scale=(1.0, 1.0), seed=0)
    np.testing.assert_allclose(images[:, 2:-2], 100 / 127.5 - 1.0, atol=2 / 127.5)  # away from the border


def test_image_smaller_than_the_crop_raises_value_error_naming_it_and_the_sizes(tmp_path):
    path = save(tmp_path / "tiny.png", solid(20, 30, (9, 9, 9)))
    with pytest.raises(ValueError, match=r"tiny\.png is 30 x 20 pixels, smaller than the 32 x 32 crop"):
        random_crops(path, 1, 32)


def test_crop_that_would_be_enlarged_more_than_twice_raises_value_error(tmp_path):
    path = save(tmp_path / "small.png", solid(100, 100, (9, 9, 9)))
    with pytest.raises(ValueError, match=r"small\.png .* 25-pixel crops.* more than 2 times.* at least 0\.32"):
        random_crops(path, 1, 64, scale=(0.25, 0.5))
    assert random_crops(path, 1, 64, scale=(0.32, 0.5)).shape == (1, 64, 64, 3)


@pytest.mark.parametrize("scale", [(0.0, 0.5), (0.6, 0.5), (0.5, 1.5), 0.5, ("a", "b")])
def test_bad_scale_raises_value_error(scale):
    with pytest.raises(ValueError, match="scale must"):
        random_crops("paintings", 1, 16, scale=scale)


def test_crop_sides_are_drawn_from_the_scale_range(tmp_path):
    """A ramp image: a crop's horizontal spread of values measures its side."""
    ramp = np.tile(np.arange(256, dtype=np.uint8), (256, 1))
    sampler = CropSampler(save(tmp_path / "ramp.png", ramp), 16, scale=(0.25, 0.5), channels=1)
    images, _ = sampler.sample(200, np.random.default_rng(0))
    spread = (images[:, 8, -1, 0] - images[:, 8, 0, 0]) * 127.5 * 16 / 15  # about the crop's side in pixels
    assert spread.min() > 0.25 * 256 - 6 and spread.max() < 0.5 * 256 + 2
    assert np.percentile(spread, 25) < 90 and np.percentile(spread, 75) > 100  # spread over the range


# ------------------------------------------------------------------ streaming


def test_image_cache_never_holds_more_than_its_budget_and_drops_the_least_recent(tmp_path):
    paths = [save(tmp_path / f"{i}.png", solid(10, 10, (i, i, i))) for i in range(4)]  # 300 bytes each
    cache = ImageCache(max_bytes=700)
    for path in paths + paths[:1] + paths[2:3] + paths:
        cache.get(path, 3)
        assert cache.nbytes <= 700
    assert cache.peak_nbytes == 600 and len(cache) == 2
    big = save(tmp_path / "big.png", solid(20, 20, (1, 1, 1)))  # 1200 bytes: used, never kept
    assert cache.get(big, 3).size == (20, 20) and cache.nbytes <= 700


def test_streaming_crops_stay_within_the_cache_budget_and_decode_again(tmp_path):
    colours = [(40 * i, 0, 255 - 40 * i) for i in range(6)]
    for i, colour in enumerate(colours):
        save(tmp_path / f"{i}.png", solid(64, 64, colour))  # 12,288 bytes decoded each
    sampler = CropSampler(tmp_path, 16, channels=3, cache_bytes=2 * 64 * 64 * 3)
    images, labels = sampler.sample(100, np.random.default_rng(0))
    assert sampler.cache.peak_nbytes <= 2 * 64 * 64 * 3 and sampler.cache.misses > 6
    expected = np.array(colours)[labels] / 127.5 - 1.0
    np.testing.assert_allclose(images[:, 0, 0], expected, atol=1e-5)


def test_image_crops_streams_the_crops_of_random_crops_in_batches(tmp_path):
    dataset = image_crops("paintings", 16, batch_size=5, labels=True, seed=7)
    batches = list(dataset.take(3).as_numpy_iterator())
    images = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    assert batches[0][0].shape == (5, 16, 16, 3) and batches[0][1].dtype == np.int32
    expected_images, expected_labels = random_crops("paintings", 15, 16, labels=True, seed=7)
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)
    again = next(iter(dataset.take(1).as_numpy_iterator()))
    np.testing.assert_array_equal(again[0], batches[0][0])


def test_image_crops_without_labels_yields_image_batches_only():
    batch = next(iter(image_crops("udnie", 32, batch_size=4, channels=1, seed=0)))
    assert tuple(batch.shape) == (4, 32, 32, 1)


def test_image_crops_checks_sizes_before_the_first_batch(tmp_path):
    save(tmp_path / "tiny.png", solid(20, 20, (0, 0, 0)))
    with pytest.raises(ValueError, match="smaller than the 32 x 32 crop"):
        image_crops(tmp_path, 32)
    with pytest.raises(ValueError, match="batch_size"):
        image_crops("paintings", 32, batch_size=0)


def test_exif_orientation_is_applied_so_photos_stand_upright(tmp_path):
    pixels = np.zeros((2, 3), dtype=np.uint8)
    pixels[0, 0] = 255  # white top-left corner, 3 wide and 2 high as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(pixels).save(tmp_path / "photo.png", exif=exif)
    image = load_image(tmp_path / "photo.png", channels=1)[..., 0]
    assert image.shape == (3, 2)
    np.testing.assert_array_equal(image > 0, np.rot90(pixels, k=-1) > 0)  # the corner moves to the top right


def test_sixteen_bit_grey_png_is_scaled_not_clipped(tmp_path):
    pixels = np.array([[0, 32896, 65535]], dtype=np.uint16)  # 32896 = 128 * 257
    Image.fromarray(pixels).save(tmp_path / "deep.png")
    np.testing.assert_allclose(load_image(tmp_path / "deep.png", channels=1)[0, :, 0], [-1, 128 / 127.5 - 1, 1],
                               atol=1e-6)


def test_image_tagged_srgb_keeps_its_values(tmp_path):
    from PIL import ImageCms

    pixels = np.random.default_rng(0).integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(pixels).save(tmp_path / "tagged.png", icc_profile=srgb)
    np.testing.assert_allclose(load_image(tmp_path / "tagged.png"), pixels / 127.5 - 1.0, atol=2 / 127.5)


def smooth_image(height, width, seed=0):
    """Random colours that change slowly (a 4 x 4 grid of colours blown up bilinearly), as uint8."""
    coarse = Image.fromarray(np.random.default_rng(seed).integers(0, 256, (4, 4, 3), dtype=np.uint8))
    return np.asarray(coarse.resize((width, height), Image.BILINEAR))


@pytest.mark.parametrize("name", ["large.png", "large.jpg"])
def test_large_images_are_decoded_shrunk_and_give_the_crops_of_the_full_image(tmp_path, name):
    path = save(tmp_path / name, smooth_image(512, 768), **({"quality": 95} if name.endswith("jpg") else {}))
    sampler = CropSampler(path, 16, scale=(0.5, 1.0))
    assert sampler.reductions == [8]  # smallest crops are 256 pixels: 8 times the crop size of 16
    shrunk, _ = sampler.sample(30, np.random.default_rng(0))
    assert sampler.cache.nbytes == 96 * 64 * 3
    sampler.reductions = [1]
    full, _ = sampler.sample(30, np.random.default_rng(0))
    assert np.abs(shrunk - full).mean() < 2 / 127.5 and np.abs(shrunk - full).max() < 12 / 127.5


def test_crops_follow_the_exif_orientation(tmp_path):
    pixels = np.zeros((60, 40), dtype=np.uint8)
    pixels[:, 20:] = 255  # stored: right half white; shown turned 90 degrees clockwise: bottom half white
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(tmp_path / "turned.png", exif=exif)
    images = random_crops(tmp_path / "turned.png", 20, 16, scale=(1.0, 1.0), channels=1, seed=0)
    assert images.shape == (20, 16, 16, 1)  # 60 x 40 as shown: crops 40 high, anywhere along its width
    assert np.all(images[:, 0] < -0.9) and np.all(images[:, -1] > 0.9)
