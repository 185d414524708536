import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab import augment


def _seed(value=0):
    return keras.random.SeedGenerator(value)


def _images(shape=(4, 16, 16, 3), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("policy", [augment.DEFAULT_POLICY, ("color",), ("translation",), ("cutout",), ()])
def test_diff_augment_keeps_shape_and_dtype(policy, channels):
    images = _images((3, 32, 32, channels))
    out = augment.diff_augment(images, _seed(), policy)
    assert tuple(out.shape) == images.shape
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_empty_policy_changes_nothing_and_the_default_policy_changes_the_images():
    images = _images()
    np.testing.assert_array_equal(np.asarray(augment.diff_augment(images, _seed(), ())), images)
    assert not np.allclose(np.asarray(augment.diff_augment(images, _seed())), images)


def test_same_seed_gives_the_same_augmentation_and_another_seed_another():
    images = _images()
    first = np.asarray(augment.diff_augment(images, _seed(3)))
    np.testing.assert_array_equal(first, np.asarray(augment.diff_augment(images, _seed(3))))
    assert not np.allclose(first, np.asarray(augment.diff_augment(images, _seed(4))))


def test_successive_calls_with_one_seed_generator_draw_afresh():
    images, seed = _images(), _seed(0)
    assert not np.allclose(np.asarray(augment.diff_augment(images, seed)),
                           np.asarray(augment.diff_augment(images, seed)))


def test_translate_moves_a_bright_pixel_by_the_shift_and_fills_with_zeros():
    images = -np.ones((3, 16, 16, 1), np.float32)  # black in [-1, 1]
    images[:, 5, 9] = 1.0
    shifts = np.array([[2, -3], [-5, 4], [0, 0]])
    out = np.asarray(augment.translate(images, shifts))[..., 0]
    for index, (dy, dx) in enumerate(shifts):
        expected = -np.ones((16, 16), np.float32)
        expected[5 + dy, 9 + dx] = 1.0
        # the rows and columns uncovered by the move are zero (the reference pads with zeros: mid-grey)
        expected[:max(dy, 0)] = 0.0
        expected[16 + min(dy, 0):] = 0.0
        expected[:, :max(dx, 0)] = 0.0
        expected[:, 16 + min(dx, 0):] = 0.0
        np.testing.assert_array_equal(out[index], expected)


def test_random_translation_moves_by_at_most_one_eighth_of_the_side_both_ways():
    images = np.zeros((64, 32, 32, 3), np.float32)
    images[:, 16, 16] = 1.0
    out = np.asarray(augment.random_translation(images, _seed()))
    moves = []
    for image in out:
        (position,) = np.argwhere(image[..., 0] == 1.0)
        moves.append(position - 16)
        assert np.all(image[..., 0] == image[..., 2])
    moves = np.array(moves)
    assert np.abs(moves).max() <= 4  # 32 / 8
    assert moves.min() < 0 < moves.max()  # both directions are drawn
    assert len({tuple(move) for move in moves}) > 10


def test_cut_out_zeroes_the_square_and_clips_it_at_the_border():
    images = np.full((2, 8, 8, 3), 0.7, np.float32)
    out = np.asarray(augment.cut_out(images, np.array([[2, 3], [-2, 6]]), 4))
    expected = np.full((2, 8, 8, 3), 0.7, np.float32)
    expected[0, 2:6, 3:7] = 0.0
    expected[1, 0:2, 6:8] = 0.0
    np.testing.assert_array_equal(out, expected)


def test_random_cutout_zeroes_one_square_of_half_the_side_at_most():
    images = np.full((64, 16, 16, 1), 0.5, np.float32)
    out = np.asarray(augment.random_cutout(images, _seed()))[..., 0]
    full_squares = 0
    for image in out:
        rows, columns = np.nonzero(image == 0.0)
        height, width = rows.max() - rows.min() + 1, columns.max() - columns.min() + 1
        assert len(rows) == height * width  # one axis-aligned rectangle
        assert height <= 8 and width <= 8
        assert np.all(image[image != 0.0] == 0.5)  # the rest is untouched
        full_squares += height == width == 8
    assert full_squares > 10  # most squares lie wholly inside (centres from the whole image)


def test_colour_ops_keep_a_grey_image_grey():
    grey = np.repeat(np.linspace(-0.8, 0.8, 4 * 8 * 8).reshape(4, 8, 8, 1), 3, axis=-1).astype(np.float32)
    np.testing.assert_allclose(np.asarray(augment.random_saturation(grey, _seed())), grey, atol=1e-6)
    for operation in augment.AUGMENTATIONS["color"]:
        out = np.asarray(operation(grey, _seed()))
        np.testing.assert_allclose(out[..., 0], out[..., 1], atol=1e-6)
        np.testing.assert_allclose(out[..., 0], out[..., 2], atol=1e-6)


def test_colour_ops_follow_their_formulas():
    images = _images((64, 8, 8, 3))
    # brightness: one shift per image, in [-0.5, 0.5)
    shift = np.asarray(augment.random_brightness(images, _seed())) - images
    per_image = shift[:, :1, :1, :1]
    np.testing.assert_allclose(shift, np.broadcast_to(per_image, shift.shape), atol=1e-6)
    assert -0.5 <= per_image.min() and per_image.max() < 0.5
    assert per_image.min() < -0.3 and per_image.max() > 0.3
    # saturation: the grey level (channel mean) of every pixel stays; factor in [0, 2)
    saturated = np.asarray(augment.random_saturation(images, _seed()))
    grey = images.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(saturated.mean(axis=-1, keepdims=True), grey, atol=1e-5)
    factor = (saturated - grey)[:, 0, 0, 0] / (images - grey)[:, 0, 0, 0]
    assert 0 <= factor.min() and factor.max() < 2
    # contrast: the mean of every image stays; factor in [0.5, 1.5)
    contrasted = np.asarray(augment.random_contrast(images, _seed()))
    mean = images.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(contrasted.mean(axis=(1, 2, 3), keepdims=True), mean, atol=1e-5)
    factor = (contrasted - mean)[:, 0, 0, 0] / (images - mean)[:, 0, 0, 0]
    assert 0.5 <= factor.min() and factor.max() < 1.5


def test_diff_augment_is_differentiable_with_respect_to_the_images():
    images = tf.constant(_images((4, 16, 16, 3)))
    weights = tf.constant(_images((4, 16, 16, 3), seed=1))
    with tf.GradientTape() as tape:
        tape.watch(images)
        loss = tf.reduce_sum(weights * augment.diff_augment(images, _seed()))
    gradient = tape.gradient(loss, images).numpy()
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).sum() > 0
    # translation alone: d(sum out)/d(x) is 1 for the pixels that stay in the frame and 0 for those moved out
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = augment.translate(images, tf.constant([[2, 0], [0, -3], [1, 1], [0, 0]]))
        total = tf.reduce_sum(out)
    gradient = tape.gradient(total, images).numpy()
    assert set(np.unique(gradient)) <= {0.0, 1.0}
    assert gradient[0].sum() == 14 * 16 * 3 and gradient[1].sum() == 16 * 13 * 3
    assert gradient[2].sum() == 15 * 15 * 3 and gradient[3].sum() == 16 * 16 * 3


def test_diff_augment_runs_in_a_compiled_function_with_a_varying_batch():
    augment_images = augment.make_augment("color,translation,cutout")
    seed = _seed()
    compiled = tf.function(lambda images: augment_images(images, seed))
    spec = tf.TensorSpec((None, 16, 16, 1), tf.float32)
    for batch in (2, 5):
        assert tuple(compiled.get_concrete_function(spec)(tf.zeros((batch, 16, 16, 1))).shape) == (batch, 16, 16, 1)


def test_make_augment_checks_the_policy_and_records_it():
    augment_images = augment.make_augment(["translation", "cutout"])
    assert augment_images.policy == ("translation", "cutout")
    assert augment.make_augment("color, cutout").policy == ("color", "cutout")
    images = _images()
    np.testing.assert_array_equal(np.asarray(augment_images(images, _seed(5))),
                                  np.asarray(augment.diff_augment(images, _seed(5), ("translation", "cutout"))))
    with pytest.raises(ValueError, match="unknown augmentation 'colour'"):
        augment.make_augment(("colour",))
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment.diff_augment(images, _seed(), "color,flip")
    for policy in (True, ("color", 3)):  # recipes.build_gan(options=dict(augment=True)) once gave a TypeError
        with pytest.raises(ValueError, match="names separated by commas or a sequence of names"):
            augment.make_augment(policy)


@pytest.mark.parametrize("images, message", [
    (np.zeros((16, 16, 3), np.float32), "must be a batch"),
    (np.zeros((2, 16, 16, 3), np.int32), "must be floats"),
])
def test_diff_augment_refuses_what_is_not_a_float_image_batch(images, message):
    with pytest.raises(ValueError, match=message):
        augment.diff_augment(images, _seed())
