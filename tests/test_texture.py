import math

import keras
import numpy as np
import pytest

from ganlab import losses, models, texture


def _generator(seed=0, filters=(16, 8, 8), crop_size=16, periodic_dim=4, cell_layers=1, **kwargs):
    """A small texture generator with all three kinds of noise, whose batch-norm statistics are not
    the identity. Scale 4, reach 2 cells, packed input 8 + 16 + 4 + 2 = 30 channels."""
    keras.utils.set_random_seed(seed)
    generator = texture.texture_generator(filters=filters, crop_size=crop_size, periodic_dim=periodic_dim,
                                          cell_layers=cell_layers, **kwargs)
    rng = np.random.default_rng(seed)
    for layer in generator.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(rng.normal(0, 0.1, layer.moving_mean.shape))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, layer.moving_variance.shape))
    return generator


@pytest.mark.parametrize("filters, rows, cols", [((8,), 3, 5), ((8, 8), 4, 4), ((8, 8, 8), 2, 7),
                                                 ((8, 8, 8, 8), 1, 3)])
def test_generator_is_fully_convolutional_with_cells_times_scale_pixels(filters, rows, cols):
    generator = texture.texture_generator(filters=filters, crop_size=2 ** (len(filters) - 1), periodic_dim=4)
    scale = texture.texture_scale(generator)
    assert scale == 2 ** (len(filters) - 1)
    field = texture.noise_field(generator, 2, rows, cols, seed=0)
    assert field.shape == (2, rows, cols, 8 + 16 + 4 + 2)
    images = keras.ops.convert_to_numpy(generator(field))
    assert images.shape == (2, rows * scale, cols * scale, 3)
    assert images.min() >= -1 and images.max() <= 1


def test_default_networks_have_documented_sizes():
    generator, discriminator = texture.texture_generator(), texture.texture_discriminator()
    assert f"{generator.count_params():,}" in texture.texture_generator.__doc__
    assert f"{discriminator.count_params():,}" in texture.texture_discriminator.__doc__


@pytest.mark.parametrize("side, verdicts", [(64, 4), (128, 8), (96, 6)])
def test_discriminator_answers_with_a_field_of_verdicts(side, verdicts):
    discriminator = texture.texture_discriminator(filters=(8, 8, 8, 8))
    logits = discriminator(np.zeros((2, side, side, 3), np.float32))
    assert logits.shape == (2, verdicts, verdicts, 1)


def test_losses_average_over_the_field_of_verdicts():
    real = np.array([[[[0.0], [1.0]], [[2.0], [-1.0]]]], np.float32)  # (1, 2, 2, 1)
    fake = np.array([[[[0.0], [-2.0]], [[1.0], [3.0]]]], np.float32)
    softplus = lambda x: np.log1p(np.exp(x))
    expected_d = np.mean(softplus(-real)) + np.mean(softplus(fake))
    expected_g = np.mean(softplus(-fake))
    d_loss, g_loss = losses.get_losses("non_saturating")
    assert float(d_loss(real, fake)) == pytest.approx(expected_d, rel=1e-5)
    assert float(g_loss(fake)) == pytest.approx(expected_g, rel=1e-5)


@pytest.mark.parametrize("size", [16, 40, (24, 56), (37, 21)])
def test_render_gives_the_requested_size_in_range(size):
    canvas = texture.render_texture(_generator(), size=size, seed=1, tile=16)
    height, width = (size, size) if isinstance(size, int) else size
    assert canvas.shape == (height, width, 3) and canvas.dtype == np.float32
    assert canvas.min() >= -1 and canvas.max() <= 1


def _one_shot(generator, rows, cols, seed, pad, **kwargs):
    """The centre of the generator run once on the whole padded field of a canvas."""
    field = texture.canvas_noise_field(generator, rows, cols, pad, seed=seed, **kwargs)
    whole = keras.ops.convert_to_numpy(generator(field[None], training=False))[0]
    cut = pad * texture.texture_scale(generator)
    return whole[cut:whole.shape[0] - cut, cut:whole.shape[1] - cut]


@pytest.mark.parametrize("tile", [8, 16, 24])
def test_tiled_render_equals_one_shot_render_of_the_same_field(tile):
    generator = _generator()
    rows, cols = 10, 13  # 40 x 52 pixels at scale 4
    whole = _one_shot(generator, rows, cols, seed=3, pad=texture.texture_margin(generator))
    tiled = texture.render_texture(generator, size=(40, 52), seed=3, tile=tile)
    np.testing.assert_allclose(tiled, whole, atol=2e-5)


@pytest.mark.parametrize("cell_layers, margin", [(1, 2), (2, 3), (4, 5)])
def test_each_cell_layer_adds_one_cell_of_reach_and_tiles_still_join(cell_layers, margin):
    generator = _generator(cell_layers=cell_layers)
    assert texture.texture_margin(generator) == margin
    whole = _one_shot(generator, 10, 13, seed=3, pad=margin)
    np.testing.assert_allclose(texture.render_texture(generator, size=(40, 52), seed=3, tile=8), whole, atol=2e-5)


def test_a_margin_smaller_than_the_reach_leaves_seams_between_tiles(monkeypatch):
    generator = _generator()
    assert texture.texture_margin(generator) == 2
    whole = _one_shot(generator, 10, 13, seed=3, pad=1)
    monkeypatch.setattr(texture, "texture_margin", lambda generator: 1)
    tiled = texture.render_texture(generator, size=(40, 52), seed=3, tile=8)
    assert np.abs(tiled - whole).max() > 1e-3


def test_canvas_edges_are_painted_from_noise_beyond_the_canvas():
    generator = _generator()
    field = texture.canvas_noise_field(generator, 4, 5, 2, seed=0)
    assert field.shape == (8, 9, 30)
    np.testing.assert_array_equal(field[..., -2:], texture._positions(-2, 6, 4, -2, 7, 5))
    assert np.abs(field[0, 0, :8]).max() > 0  # the margin holds local noise, not zeros


def test_tileable_canvas_is_one_period_of_an_endless_pattern():
    generator = _generator()
    rows, cols, scale = 6, 8, 4
    canvas = texture.render_texture(generator, size=(rows * scale, cols * scale), seed=5, tileable=True, tile=8)
    # oracle: the same field repeated 3 x 3 (positions continuing), rendered whole with snapped waves
    field = texture.noise_field(generator, 1, rows, cols, seed=5)[0]
    repeated = np.tile(field, (3, 3, 1))
    repeated[..., -2:] = texture._positions(-rows, 2 * rows, rows, -cols, 2 * cols, cols)
    periodic = texture.with_period(generator, (rows, cols))
    big = keras.ops.convert_to_numpy(periodic(repeated[None], training=False))[0]
    centre = big[rows * scale:2 * rows * scale, cols * scale:2 * cols * scale]
    np.testing.assert_allclose(canvas, centre, atol=2e-5)


def test_jump_across_the_wrapped_edge_is_no_larger_than_inside():
    generator = _generator(seed=2)
    size = 48
    tileable = texture.render_texture(generator, size=size, seed=0, tileable=True, tile=16)
    plain = texture.render_texture(generator, size=size, seed=0, tile=16)

    def jumps(canvas, axis):
        canvas = np.moveaxis(canvas, axis, 0)
        inside = np.abs(np.diff(canvas, axis=0)).mean(axis=(1, 2))
        wrapped = np.abs(canvas[0] - canvas[-1]).mean()
        return wrapped, inside

    for axis in (0, 1):
        wrapped, inside = jumps(tileable, axis)
        assert wrapped <= inside.max()
        # a canvas that is not tileable jumps across the same edge more than the tileable one
        assert jumps(plain, axis)[0] > wrapped


def test_wave_vectors_snap_to_whole_periods_of_the_canvas():
    layer = texture.SpatialNoise(0, 3, 4, period=(10, 16))
    layer.build((None, None, None, layer.input_dim))
    k_y, k_x = layer.wave_vectors(np.random.default_rng(0).uniform(-1, 1, (5, 3)).astype(np.float32))
    for waves, cells in ((k_y, 10), (k_x, 16)):
        periods = keras.ops.convert_to_numpy(waves) * cells / (2 * np.pi)
        np.testing.assert_allclose(periods, np.round(periods), atol=1e-4)


def test_periodic_channels_are_sinusoids_of_position():
    layer = texture.SpatialNoise(1, 0, 1)
    layer.build((None, None, None, layer.input_dim))
    layer.wave_bias.assign(np.array([0.5, -0.25], np.float32))  # k_y, k_x
    field = np.zeros((1, 2, 3, layer.input_dim), np.float32)
    field[..., 0] = 7.0  # local noise passes through
    field[..., 1] = 0.3  # phase
    field[..., 2:] = texture._positions(0, 2, 2, 0, 3, 3)
    out = keras.ops.convert_to_numpy(layer(field))
    y, x = field[0, ..., 2], field[0, ..., 3]
    np.testing.assert_allclose(out[0, ..., 0], 7.0)
    np.testing.assert_allclose(out[0, ..., 1], np.sin(0.5 * y - 0.25 * x + 0.3), atol=1e-6)


@pytest.mark.parametrize("periodic_dim", [0, 4])
def test_morph_starts_and_ends_at_the_two_textures_and_changes_gradually(periodic_dim):
    generator = _generator(seed=4, periodic_dim=periodic_dim)
    start, end = texture.texture_global_noise(generator, 1), texture.texture_global_noise(generator, 2)
    size = (16, 256)
    first = texture.render_texture(generator, size, seed=0, global_noise=start, tile=64)
    last = texture.render_texture(generator, size, seed=0, global_noise=end, tile=64)

    def shares(morph_width):
        """How far along from the first texture to the last each 8-pixel column block is."""
        morph = texture.render_texture(generator, size, seed=0, global_noise=start, morph_to=end, tile=64,
                                       morph_width=morph_width)
        np.testing.assert_allclose(morph[:, :32], first[:, :32], atol=2e-5)
        np.testing.assert_allclose(morph[:, -32:], last[:, -32:], atol=2e-5)
        away = np.abs(morph - first).mean(axis=(0, 2)).reshape(-1, 8).mean(axis=1)
        towards = np.abs(morph - last).mean(axis=(0, 2)).reshape(-1, 8).mean(axis=1)
        return away / (away + towards)

    gradual = shares(0.5)
    assert gradual[0] < 0.01 and gradual[-1] > 0.99
    if periodic_dim == 0:
        # (with periodic channels the wave vectors change along the ramp, so the phases at a
        # distance from the centre move faster than the texture and this measure is not monotone. Its largest
        # step varies with the generator: over seeds 4..9, 0.16-0.23 when the global vectors were averaged
        # plainly, 0.18-0.28 with the spread-keeping blend, whose path passes through vectors unlike either
        # end; a switch over one cell gives 0.35-0.58)
        assert np.abs(np.diff(gradual)).max() < 0.3
        # the same measure sees a switch over one cell as a jump
        assert np.abs(np.diff(shares(1 / 64))).max() > 0.35


def test_wandering_global_noise_passes_through_its_lattice_vectors_smoothly():
    rows, cols, pad, period = 12, 20, 2, 4
    field = texture.wandering_global_noise(3, rows, cols, pad, period, seed=7)
    assert field.shape == (rows + 2 * pad, cols + 2 * pad, 3) and field.dtype == np.float32
    assert field.min() >= -1 and field.max() <= 1
    # neighbouring cells differ little, cells a few lattice spacings apart a lot
    step = np.abs(np.diff(field, axis=1)).mean()
    far = np.abs(field[:, :4] - field[:, -4:]).mean()
    assert step < far / 3
    # the same seed gives the same field, another seed another
    np.testing.assert_array_equal(field, texture.wandering_global_noise(3, rows, cols, pad, period, seed=7))
    assert not np.allclose(field, texture.wandering_global_noise(3, rows, cols, pad, period, seed=8))


def test_wandering_global_noise_is_uniform_in_every_cell_even_between_its_lattice_vectors():
    # the generator learned U[-1, 1] global vectors: halfway between lattice vectors a plain average
    # of four would have half their spread (standard deviation 0.29 instead of 1 / sqrt(3) = 0.58)
    period = 8
    field = texture.wandering_global_noise(4, 400, 400, 0, period, seed=3)
    between = field[period // 2::period, period // 2::period]  # where all four weights are about equal
    on_lattice = field[::period, ::period]
    for values in (between, on_lattice, field):
        assert abs(values.std() - 1 / np.sqrt(3)) < 0.03
        assert abs(values.mean()) < 0.03
        assert abs(np.mean(np.abs(values) > 0.9) - 0.1) < 0.02  # as many near the ends as U[-1, 1] puts there


def _assert_uniform(values):
    """Each value U[-1, 1]: the spread a plain average of uniform vectors loses (std 0.41 halfway between two)."""
    assert values.min() >= -1 and values.max() <= 1
    assert values.std() > 0.53 and abs(values.std() - 1 / np.sqrt(3)) < 0.03
    assert abs(values.mean()) < 0.05
    assert abs(np.mean(np.abs(values) > 0.9) - 0.1) < 0.03  # as many near the ends as U[-1, 1] puts there


def test_blend_global_noise_gives_back_each_vector_at_its_end():
    vectors = np.random.default_rng(0).uniform(-1, 1, (2, 300)).astype(np.float32)
    for index, weights in enumerate(([1.0, 0.0], [0.0, 1.0])):
        blended = texture.blend_global_noise(vectors, weights)
        assert blended.shape == (300,) and blended.dtype == np.float32
        np.testing.assert_allclose(blended, vectors[index], atol=1e-6)
    # rows of weights blend row by row; the ends of [-1, 1], where erf^-1 is infinite, stay finite and in place
    ends = np.array([[-1.0, 1.0, 0.0], [1.0, -1.0, 0.5]], np.float32)
    blended = texture.blend_global_noise(ends, [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    assert blended.shape == (3, 3) and np.all(np.isfinite(blended))
    np.testing.assert_allclose(blended[:2], ends, atol=2e-6)
    # halfway between opposite values lies 0; between 0 and 0.5, erf(erf^-1(0.5) / sqrt(2)) = 0.3665, by hand
    # with erf^-1(0.5) = 0.4769363: further out than the plain average 0.25
    np.testing.assert_allclose(blended[2, :2], 0.0, atol=1e-6)
    np.testing.assert_allclose(blended[2, 2], math.erf(0.4769362762 / math.sqrt(2)), atol=1e-6)


def test_blend_global_noise_keeps_the_spread_that_a_plain_average_loses():
    # the generator learned U[-1, 1] global vectors; halfway between two, a plain average has standard
    # deviation 1 / sqrt(6) = 0.41 in each channel instead of 1 / sqrt(3) = 0.58
    vectors = np.random.default_rng(1).uniform(-1, 1, (3, 20000))
    _assert_uniform(texture.blend_global_noise(vectors[:2], [0.5, 0.5]))
    _assert_uniform(texture.blend_global_noise(vectors[:2], [0.2, 0.8]))
    _assert_uniform(texture.blend_global_noise(vectors, [1.0, 1.0, 1.0]))
    assert vectors[:2].mean(axis=0).std() < 0.45  # what the test would see from a plain average


def test_morph_ramp_keeps_the_spread_and_ends_at_its_two_vectors():
    generator = _generator(seed=2, periodic_dim=0, global_dim=1024)
    start, end = texture.texture_global_noise(generator, 1), texture.texture_global_noise(generator, 2)
    rows, cols, pad = 2, 9, 1
    field = texture.canvas_noise_field(generator, rows, cols, pad, seed=0, global_noise=start, morph_to=end)
    vectors = field[..., 8:8 + 1024]
    np.testing.assert_array_equal(vectors, np.broadcast_to(vectors[:1], vectors.shape))  # the same in every row
    np.testing.assert_allclose(vectors[0, 0], start, atol=1e-6)
    np.testing.assert_allclose(vectors[0, -1], end, atol=1e-6)
    middle = vectors[0, pad + cols // 2]  # t = 0.5: halfway along the ramp
    _assert_uniform(middle)
    assert np.abs(middle - start).mean() > 0.3 and np.abs(middle - end).mean() > 0.3


def test_texture_walk_vectors_start_at_the_first_keyframe_and_keep_the_spread_between_keyframes():
    keyframes = np.random.default_rng([5, 1]).uniform(-1.0, 1.0, (3, 2000))
    vectors = texture.texture_walk_vectors(2000, n_frames=6, keyframes=3, seed=5)
    assert vectors.shape == (6, 2000) and vectors.dtype == np.float32
    # frames 0, 2, 4 are the keyframes in turn; 1, 3, 5 lie halfway, the last between the third and the first
    np.testing.assert_allclose(vectors[::2], keyframes, atol=1e-6)
    for index in (1, 3, 5):
        _assert_uniform(vectors[index])
        neighbours = keyframes[index // 2], keyframes[(index // 2 + 1) % 3]
        assert max(np.abs(vectors[index] - keyframe).mean() for keyframe in neighbours) < 0.45
    with pytest.raises(ValueError, match="keyframes must be an integer >= 2"):
        texture.texture_walk_vectors(4, keyframes=1)


def test_tileable_wandering_global_noise_wraps_around():
    rows, cols = 16, 24
    field = texture.wandering_global_noise(2, rows, cols, 0, 8, seed=1, tileable=True)
    inside = np.abs(np.diff(field, axis=1)).mean()
    assert np.abs(field[:, 0] - field[:, -1]).mean() <= 2 * inside
    assert np.abs(field[0] - field[-1]).mean() <= 2 * np.abs(np.diff(field, axis=0)).mean()


def test_a_wandering_canvas_keeps_the_local_noise_joins_its_tiles_and_tiles_when_asked():
    generator = _generator(seed=3, periodic_dim=0)
    still = texture.render_texture(generator, 64, seed=2, tile=16)
    wandering = texture.render_texture(generator, 64, seed=2, tile=16, wander=16)
    np.testing.assert_allclose(wandering, texture.render_texture(generator, 64, seed=2, tile=64, wander=16),
                               atol=2e-5)  # tiles join: the same canvas in one tile
    assert not np.allclose(wandering, still)
    # the local noise is the seed's, as without wandering: only the global channels differ
    pad = texture.texture_margin(generator)
    a = texture.canvas_noise_field(generator, 16, 16, pad, seed=2)
    b = texture.canvas_noise_field(generator, 16, 16, pad, seed=2, wander=4)
    np.testing.assert_array_equal(a[..., :8], b[..., :8])
    np.testing.assert_array_equal(a[..., -2:], b[..., -2:])
    tile = texture.render_texture(generator, 64, seed=2, tile=16, wander=16, tileable=True)
    for axis in (0, 1):
        moved = np.moveaxis(tile, axis, 0)
        assert np.abs(moved[0] - moved[-1]).mean() <= np.abs(np.diff(moved, axis=0)).mean(axis=(1, 2)).max()


@pytest.mark.parametrize("kwargs, message", [(dict(wander=8), "at least the training crop size 16"),
                                             (dict(wander=16.5), "whole number of pixels"),
                                             (dict(wander=32, morph_to=np.zeros(16, np.float32)), "not both")])
def test_render_refuses_a_wander_it_cannot_paint(kwargs, message):
    with pytest.raises(ValueError, match=message):
        texture.render_texture(_generator(), 64, **kwargs)


def test_same_seed_repeats_the_canvas_and_another_seed_changes_it():
    generator = _generator()
    a = texture.render_texture(generator, 32, seed=0, tile=16)
    np.testing.assert_array_equal(a, texture.render_texture(generator, 32, seed=0, tile=16))
    assert not np.allclose(a, texture.render_texture(generator, 32, seed=1, tile=16))


def test_global_noise_and_phases_do_not_depend_on_the_canvas_size():
    generator = _generator()
    small = texture.noise_field(generator, 1, 3, 4, seed=9)[0, 0, 0]
    large = texture.noise_field(generator, 1, 30, 20, seed=9)[0, 0, 0]
    np.testing.assert_array_equal(small[8:28], large[8:28])  # global and phases
    np.testing.assert_array_equal(small[8:24], texture.texture_global_noise(generator, 9))


def test_walk_frames_loop_and_change_gradually():
    generator = _generator()
    frames = texture.texture_walk_frames(generator, n_frames=8, size=16, seed=0, keyframes=2, tile=16)
    assert frames.shape == (8, 16, 16, 3)
    steps = np.abs(np.diff(np.concatenate([frames, frames[:1]]), axis=0)).mean(axis=(1, 2, 3))
    unrelated = np.abs(frames[0] - texture.render_texture(generator, 16, seed=99, tile=16)).mean()
    assert steps.max() < unrelated


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=8193), "larger than 8192"),
    (dict(size=(16, 9000)), "larger than 8192"),
    (dict(size=12), "smaller than the training crop 16"),
    (dict(size=0), "positive integer"),
    (dict(size=(16, 16, 3)), "pair"),
    (dict(size=18, tileable=True), "whole cells"),
    (dict(size=16, tileable=True, morph_to=np.zeros(16)), "not both"),
    (dict(size=16, global_noise=np.zeros(3)), "shape"),
    (dict(size=16, morph_to=np.full(16, np.nan)), "finite"),
    (dict(size=16, tile=6), "multiple of the generator's scale 4"),
    (dict(size=16, morph_width=0.0), "morph_width"),
])
def test_render_rejects_bad_input_with_one_line_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        texture.render_texture(_generator(), **kwargs)
    assert "\n" not in str(error.value)


def test_only_texture_generators_render_or_tile():
    with pytest.raises(ValueError, match="not a texture generator"):
        texture.render_texture(models.dcgan_generator(), 64, tileable=True)
    assert not texture.is_texture(models.dcgan_generator()) and texture.is_texture(_generator())


@pytest.mark.parametrize("kwargs, message", [
    (dict(crop_size=20), "multiple of the scale 8"),
    (dict(filters=()), "at least one width"),
    (dict(local_dim=0, global_dim=0, periodic_dim=0), "at least one noise channel"),
    (dict(local_dim=-1), "non-negative"),
])
def test_builders_reject_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        texture.texture_generator(**kwargs)


def test_discriminator_rejects_an_unknown_normalisation():
    with pytest.raises(ValueError, match="'batch', 'spectral' or None"):
        texture.texture_discriminator(normalization="layer")


def test_spectral_discriminator_wraps_every_convolution():
    discriminator = texture.texture_discriminator(filters=(8, 8), normalization="spectral")
    wrapped = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in discriminator.layers)


@pytest.mark.parametrize("dims", [(0, 4, 2), (4, 0, 2), (4, 4, 0)])
def test_each_kind_of_noise_can_be_turned_off(dims):
    generator = texture.texture_generator(*dims, filters=(8, 8), crop_size=8)
    canvas = texture.render_texture(generator, 16, seed=0, tile=8)
    assert canvas.shape == (16, 16, 3)


def test_saved_generator_loads_and_paints_the_same_canvas(tmp_path):
    generator = _generator()
    generator.save(tmp_path / "generator.keras")
    loaded = models.load_generator(tmp_path)
    np.testing.assert_allclose(texture.render_texture(loaded, 24, seed=0, tileable=True, tile=8),
                               texture.render_texture(generator, 24, seed=0, tileable=True, tile=8), atol=1e-6)


@pytest.mark.parametrize("normalization", ["batch", "spectral"])
def test_texture_gan_trains_a_few_steps_on_random_crops_without_nan(normalization):
    import tensorflow as tf

    generator = _generator(filters=(16, 8, 8), crop_size=16)
    discriminator = texture.texture_discriminator(filters=(8, 16), normalization=normalization)
    gan = texture.TextureGAN(generator, discriminator, seed=0, ema_decay=0.9)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    crops = np.random.default_rng(0).uniform(-1, 1, (24, 16, 16, 3)).astype(np.float32)
    history = gan.fit(tf.data.Dataset.from_tensor_slices(crops).batch(8), epochs=2, verbose=0)
    assert set(history.history) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(values).all() for values in history.history.values())
    samples = gan.generate(3, seed=0)
    assert samples.shape == (3, 16, 16, 3) and np.isfinite(samples).all()
    np.testing.assert_array_equal(samples, gan.generate(3, seed=0))


def test_texture_gan_samples_noise_fields_of_the_crop_size_plus_the_margin():
    generator = _generator(crop_size=24)
    gan = texture.TextureGAN(generator, texture.texture_discriminator(filters=(8,)), seed=0)
    assert gan.margin == texture.texture_margin(generator) == 2
    field, labels = gan.sample_latents(5)
    field = keras.ops.convert_to_numpy(field)
    assert labels is None and field.shape == (5, 10, 10, 30)
    local, global_noise, phases = field[..., :8], field[..., 8:24], field[..., 24:28]
    assert np.abs(local).max() <= 1 and local.std() > 0.4
    np.testing.assert_array_equal(global_noise, np.broadcast_to(global_noise[:, :1, :1], global_noise.shape))
    assert phases.min() >= 0 and phases.max() < 2 * np.pi
    np.testing.assert_array_equal(field[0, ..., -2:], texture._positions(0, 10, 10, 0, 10, 10))
    # the discriminator sees the centre of the generated field, crop-sized
    full = keras.ops.convert_to_numpy(generator(field, training=False))
    centre = keras.ops.convert_to_numpy(gan.generator(field, training=False))
    assert centre.shape == (5, 24, 24, 3)
    np.testing.assert_allclose(centre, full[:, 8:32, 8:32], atol=1e-6)
    assert texture.TextureGAN(generator, texture.texture_discriminator(filters=(8,)), margin=0).cells == 6


def test_texture_gan_saves_and_renders_the_uncropped_moving_average():
    generator = _generator()
    gan = texture.TextureGAN(generator, texture.texture_discriminator(filters=(8,)), seed=0, ema_decay=0.9)
    assert gan.sampler.output_shape == (None, None, None, 3)
    for average, layer in zip(gan.ema_generator.weights, gan.sampler.weights):
        assert average is layer
    assert texture.render_texture(gan.sampler, 32, tile=16).shape == (32, 32, 3)
    assert gan.sampler is not generator and texture.TextureGAN(generator, gan.discriminator).sampler is generator




def test_texture_gan_generate_takes_noise_fields_and_refuses_latent_vectors():
    generator = _generator()
    gan = texture.TextureGAN(generator, texture.texture_discriminator(filters=(8,)), seed=0)
    fields = texture.noise_field(generator, 2, gan.cells, gan.cells, seed=4)
    np.testing.assert_array_equal(gan.generate(2, latents=fields), gan.generate(2, seed=4))
    with pytest.raises(ValueError, match="noise fields of shape"):
        gan.generate(2, latents=np.zeros((2, 30), np.float32))


def test_canvas_crops_cuts_seeded_crops_of_the_canvas_and_refuses_a_small_canvas():
    canvas = np.arange(100 * 80 * 3, dtype=np.float32).reshape(100, 80, 3)
    crops = texture.canvas_crops(canvas, 5, size=16, seed=3)
    assert crops.shape == (5, 16, 16, 3)
    np.testing.assert_array_equal(crops, texture.canvas_crops(canvas, 5, size=16, seed=3))
    rng = np.random.default_rng(3)  # all tops, then all lefts
    tops, lefts = rng.integers(0, 100 - 16 + 1, 5), rng.integers(0, 80 - 16 + 1, 5)
    np.testing.assert_array_equal(crops[2], canvas[tops[2]:tops[2] + 16, lefts[2]:lefts[2] + 16])
    with pytest.raises(ValueError, match="at least 64 x 64 pixels, got shape"):
        texture.canvas_crops(canvas[:50], 5)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        texture.canvas_crops(canvas, 0)

