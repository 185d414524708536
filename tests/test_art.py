"""Chapter 8 (art): latent paths (viz), the CPPN generator (models), the latent explorer (widgets),
the cppn recipe (runs) and the ``render`` / ``interpolate`` commands (cli)."""

import json

import keras
import numpy as np
import pytest
from PIL import Image

from ganlab import cli, models, runs, training, viz, widgets

# ---------------------------------------------------------------------- lerp / slerp


def _unit_pair(theta, d=5):
    """a = e1 and b at angle theta from it in the (e1, e2) plane."""
    a = np.zeros(d)
    b = np.zeros(d)
    a[0] = 1.0
    b[0], b[1] = np.cos(theta), np.sin(theta)
    return a, b


@pytest.mark.parametrize("theta", [0.3, 1.0, np.pi / 2, 2.5])
def test_slerp_of_unit_vectors_follows_the_great_circle(theta):
    a, b = _unit_pair(theta)
    t = np.linspace(0.0, 1.0, 11)
    path = viz.slerp(a, b, t)
    expected = np.zeros((11, 5))
    expected[:, 0], expected[:, 1] = np.cos(t * theta), np.sin(t * theta)
    np.testing.assert_allclose(path, expected, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-12)


def test_slerp_matches_the_closed_form_for_vectors_that_are_not_unit():
    a = np.array([3.0, 0.0, 0.0])
    b = np.array([0.0, 2.0, 0.0])  # orthogonal: Omega = pi / 2, sin Omega = 1
    # sin((1 - t) pi/2) a + sin(t pi/2) b at t = 1/3: cos(pi/6) a + sin(pi/6) b
    np.testing.assert_allclose(viz.slerp(a, b, 1 / 3), [3 * np.sqrt(3) / 2, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(viz.slerp(a, b, 0.0), a, atol=1e-12)
    np.testing.assert_allclose(viz.slerp(a, b, 1.0), b, atol=1e-12)


def test_interpolate_splits_the_angle_evenly_between_consecutive_frames():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(64), rng.standard_normal(64)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    omega = np.arccos(a @ b)
    path = viz.interpolate(a, b, 9, method="slerp")
    np.testing.assert_allclose(path[0], a, atol=1e-12)
    np.testing.assert_allclose(path[-1], b, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-12)
    steps = np.arccos(np.clip(np.sum(path[1:] * path[:-1], axis=1), -1, 1))
    np.testing.assert_allclose(steps, omega / 8, atol=1e-9)


def test_lerp_is_the_straight_line():
    a, b = np.array([1.0, 2.0]), np.array([5.0, -2.0])
    np.testing.assert_allclose(viz.lerp(a, b, 0.25), [2.0, 1.0])
    np.testing.assert_allclose(viz.interpolate(a, b, 3, method="lerp"), [[1, 2], [3, 0], [5, -2]])


@pytest.mark.parametrize("b", [np.array([2.0, 4.0, 6.0]), np.array([-1.0, -2.0, -3.0]), np.zeros(3)],
                         ids=["parallel", "antiparallel", "zero"])
def test_slerp_falls_back_to_lerp_when_the_great_circle_is_undefined(b):
    a = np.array([1.0, 2.0, 3.0])
    t = np.linspace(0, 1, 7)
    path = viz.slerp(a, b, t)
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path, viz.lerp(a, b, t), atol=1e-12)


def test_slerp_keeps_gaussian_latents_on_their_shell_while_the_lerp_midpoint_shrinks():
    d = 512
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    lerp_mid = np.linalg.norm(viz.lerp(a, b, 0.5))
    slerp_mid = np.linalg.norm(viz.slerp(a, b, 0.5))
    assert abs(lerp_mid / np.sqrt(d / 2) - 1) < 0.1
    assert abs(slerp_mid / np.sqrt(d) - 1) < 0.1


def test_slerp_shapes_and_dtypes():
    a = np.ones((4, 3), dtype=np.float32)
    b = np.eye(4, 3, dtype=np.float32)
    assert viz.slerp(a, b, 0.5).shape == (4, 3)
    assert viz.slerp(a, b, [0.0, 0.5, 1.0]).shape == (3, 4, 3)
    assert viz.slerp(a, b, 0.5).dtype == np.float32
    assert viz.slerp(a.astype(np.float64), b, 0.5).dtype == np.float64


def test_interpolation_rejects_bad_arguments():
    a, b = np.ones(3), np.zeros(3)
    with pytest.raises(ValueError, match="frames"):
        viz.interpolate(a, b, 1)
    with pytest.raises(ValueError, match="method"):
        viz.interpolate(a, b, 4, method="cubic")
    with pytest.raises(ValueError, match="shape"):
        viz.slerp(a, np.ones(4), 0.5)
    with pytest.raises(ValueError, match="finite"):
        viz.lerp(a, b, np.nan)


def test_latent_walk_passes_through_every_keyframe():
    keyframes = np.random.default_rng(1).standard_normal((3, 6))
    path = viz.latent_walk(keyframes, frames_per_segment=4)
    assert path.shape == (9, 6)
    np.testing.assert_allclose(path[[0, 4, 8]], keyframes, atol=1e-6)
    loop = viz.latent_walk(keyframes, frames_per_segment=4, loop=True)
    assert loop.shape == (12, 6)
    np.testing.assert_allclose(loop[[0, 4, 8]], keyframes, atol=1e-6)
    # the loop's last frame is one step before keyframe 0 again
    np.testing.assert_allclose(loop[-1], viz.slerp(keyframes[2], keyframes[0], 0.75), atol=1e-6)
    with pytest.raises(ValueError):
        viz.latent_walk(keyframes[:1])


def test_seed_latents_are_the_vectors_generate_uses():
    latents = viz.seed_latents([5, 0, 17], 10)
    for row, seed in zip(latents, [5, 0, 17]):
        np.testing.assert_array_equal(row, training.latent_vectors(1, 10, seed)[0])
    with pytest.raises(ValueError):
        viz.seed_latents([-1], 10)


# ---------------------------------------------------------------------- palettes and export


def test_colorize_maps_the_ends_to_the_palette_ends():
    image = np.array([[-1.0, 1.0]])
    rgb = viz.colorize(image, ["#000000", "#ff8000"])
    assert rgb.shape == (1, 2, 3)
    np.testing.assert_allclose(viz.to_uint8(rgb)[0, 0], [0, 0, 0])
    np.testing.assert_allclose(viz.to_uint8(rgb)[0, 1], [255, 128, 0], atol=1)
    with pytest.raises(ValueError, match="3 channels"):
        viz.colorize(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="palette"):
        viz.colorize(image, "no-such-palette")


def test_export_png_writes_the_requested_size(tmp_path):
    image = np.linspace(-1, 1, 28 * 14).reshape(14, 28, 1)
    path = viz.export_png(image, tmp_path / "art.png", size=280, palette="magma")
    with Image.open(path) as png:
        assert png.size == (280, 140)
        assert png.mode == "RGB"
    with Image.open(viz.export_png(image, tmp_path / "grey.png")) as png:
        assert png.size == (28, 14) and png.mode == "L"
    with pytest.raises(ValueError, match=".png"):
        viz.export_png(image, tmp_path / "art.jpg")
    with pytest.raises(ValueError, match="size"):
        viz.export_png(image, tmp_path / "art.png", size=0)


def test_contact_sheet_lays_out_captioned_thumbnails(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, (10, 28, 28, 1))
    sheet = viz.contact_sheet(images, captions=[f"seed {i}" for i in range(10)], ncol=4, thumb=50,
                              path=tmp_path / "sheet.png")
    margin, caption = 6, 14
    assert sheet.size == (4 * (50 + margin) + margin, 3 * (50 + caption + margin) + margin)
    assert (tmp_path / "sheet.png").is_file()
    # the first thumbnail is the first image, enlarged
    first = np.asarray(sheet)[margin:margin + 50, margin:margin + 50, 0]
    expected = np.asarray(viz.to_pil(images[0, :, :, 0]).resize((50, 50), Image.NEAREST))
    np.testing.assert_array_equal(first, expected)
    with pytest.raises(ValueError, match="captions"):
        viz.contact_sheet(images, captions=["a"])


# ---------------------------------------------------------------------- the CPPN


@pytest.fixture(scope="module")
def cppn():
    keras.utils.set_random_seed(0)
    return models.cppn_generator(latent_dim=8, hidden=16, size=12)


def test_cppn_generator_maps_latents_to_images_of_its_size(cppn):
    z = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    images = np.asarray(cppn(z))
    assert images.shape == (3, 12, 12, 1)
    assert np.all(np.abs(images) <= 1)
    assert not np.allclose(images[0], images[1])  # z changes the picture
    assert models.cppn_generator().count_params() == 14849


def test_cppn_renders_the_same_picture_at_two_sizes(cppn):
    z = np.random.default_rng(1).standard_normal((2, 8)).astype(np.float32)
    small = np.asarray(cppn(z))
    large = models.render_cppn(cppn, z, size=48)
    assert large.shape == (2, 48, 48, 1)
    downsampled = large.reshape(2, 12, 4, 12, 4, 1).mean(axis=(2, 4))
    assert np.abs(downsampled - small).mean() < 0.02
    assert np.abs(downsampled - small).max() < 0.15


def test_cppn_zoom_out_contains_the_training_frame_exactly(cppn):
    z = np.random.default_rng(2).standard_normal(8).astype(np.float32)
    frame = models.render_cppn(cppn, z, size=12)
    zoomed = models.render_cppn(cppn, z, size=24, extent=2.0)
    np.testing.assert_allclose(zoomed[6:18, 6:18], frame, atol=1e-5)


def test_render_cppn_in_strips_equals_one_pass(cppn):
    z = np.random.default_rng(3).standard_normal((3, 8)).astype(np.float32)
    whole = models.render_cppn(cppn, z, size=20, max_pixels=10 ** 6)
    strips = models.render_cppn(cppn, z, size=20, max_pixels=60)  # 3-row strips, one picture at a time
    np.testing.assert_allclose(strips, whole, atol=1e-6)


def test_cppn_saves_and_loads_as_keras_file(cppn, tmp_path):
    cppn.save(tmp_path / "generator.keras")
    loaded = models.load_generator(tmp_path)
    z = np.random.default_rng(4).standard_normal((2, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(z)), np.asarray(cppn(z)), atol=1e-6)
    assert models.is_cppn(loaded)
    np.testing.assert_allclose(models.render_cppn(loaded, z, size=30), models.render_cppn(cppn, z, size=30),
                               atol=1e-6)


def test_cppn_rejects_bad_settings(cppn):
    with pytest.raises(ValueError, match="activation"):
        models.cppn_generator(activations=("tanh", "wobble"))
    with pytest.raises(ValueError, match="not a CPPN"):
        models.cppn_at_size(models.toy_generator(), 64)
    with pytest.raises(ValueError, match="latents"):
        models.render_cppn(cppn, np.zeros((2, 5)), size=16)
    with pytest.raises(ValueError):
        models.render_cppn(cppn, np.zeros(8), size=0)


@pytest.mark.slow
def test_cppn_recipe_trains_and_saves_a_cppn_run(tmp_path):
    gan, history = runs.train("cppn", "mnist", out=tmp_path / "run", epochs=1, limit=64, verbose=0)
    assert set(history) >= {"d_loss", "g_loss"} and all(np.isfinite(v[0]) for v in history.values())
    generator = models.load_generator(tmp_path / "run")
    assert models.is_cppn(generator)
    assert gan.discriminator.count_params() == models.dcgan_discriminator(filters=32).count_params()
    samples = runs.sample(tmp_path / "run", 3, seed=1)
    assert samples.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(samples, gan.generate(3, seed=1), atol=1e-5)


# ---------------------------------------------------------------------- the latent explorer


def _linear_generator(singular_values=(10.0, 4.0, 1.0, 0.5), d=4, side=6, seed=0):
    """G(z) = W z reshaped to side x side, with W = U S V^T of known singular values; returns (G, V)."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((side * side, d)))
    v, _ = np.linalg.qr(rng.standard_normal((d, d)))
    weight = u @ np.diag(singular_values) @ v.T  # (pixels, d)
    z = keras.Input((d,), name="latent")
    dense = keras.layers.Dense(side * side, use_bias=False)
    image = keras.layers.Reshape((side, side, 1))(dense(z))
    generator = keras.Model(z, image)
    dense.set_weights([weight.T.astype(np.float32)])
    return generator, v


def test_explorer_pca_directions_are_the_latent_directions_that_move_the_pictures_most():
    generator, v = _linear_generator()
    explorer = widgets.LatentExplorer(generator, directions="pca", n_directions=2, samples=2000)
    np.testing.assert_allclose(explorer.directions @ explorer.directions.T, np.eye(2), atol=1e-9)
    # for G(z) = U S V^T z the top principal component of the pictures is u_1, driven by v_1
    assert abs(explorer.directions[0] @ v[:, 0]) > 0.99
    assert abs(explorer.directions[1] @ v[:, 1]) > 0.99
    assert explorer.explained_variance[0] > explorer.explained_variance[1]


@pytest.mark.parametrize("directions", ["random", "axes"])
def test_explorer_directions_are_orthonormal(directions):
    generator, _ = _linear_generator()
    explorer = widgets.LatentExplorer(generator, directions=directions, n_directions=3)
    np.testing.assert_allclose(explorer.directions @ explorer.directions.T, np.eye(3), atol=1e-9)
    if directions == "axes":
        np.testing.assert_array_equal(explorer.directions, np.eye(4)[:3])


def test_explorer_set_direction_renders_the_moved_latent_vector():
    generator, _ = _linear_generator()
    explorer = widgets.LatentExplorer(generator, directions="random", n_directions=2, seed=7)
    start = explorer.render()
    np.testing.assert_allclose(start, training.generate(generator, 1, seed=7)[0], atol=1e-5)
    explorer.set_direction(1, -2.0)
    moved = viz.seed_latents([7], 4)[0] - 2.0 * explorer.directions[1]
    np.testing.assert_allclose(explorer.render(), training.generate(generator, 1, latents=moved[None])[0],
                               atol=1e-5)
    explorer.reset()
    np.testing.assert_allclose(explorer.render(), start, atol=1e-6)
    strip = explorer.strip(0, [-1.0, 0.0, 1.0])
    assert strip.shape == (3, 6, 6, 1)
    np.testing.assert_allclose(strip[1], start, atol=1e-6)
    np.testing.assert_array_equal(explorer.values, 0.0)  # strip leaves the sliders alone
    with pytest.raises(ValueError, match="index"):
        explorer.set_direction(2, 1.0)
    with pytest.raises(ValueError, match="finite"):
        explorer.set_direction(0, np.inf)


def test_explorer_save_writes_the_picture_and_its_latent_vector(tmp_path):
    generator, _ = _linear_generator()
    explorer = widgets.LatentExplorer(generator, directions="axes", n_directions=2, seed=3)
    explorer.set_direction(0, 1.5)
    paths = explorer.save(tmp_path / "favourite.png")
    latent = np.load(paths["npy"])
    np.testing.assert_allclose(latent, viz.seed_latents([3], 4)[0] + np.array([1.5, 0, 0, 0]), atol=1e-6)
    record = json.loads(paths["json"].read_text())
    assert record["seed"] == 3 and record["values"] == [1.5, 0.0]
    with Image.open(paths["png"]) as png:
        np.testing.assert_array_equal(np.asarray(png), viz.to_uint8(explorer.render())[..., 0])
    with pytest.raises(ValueError, match=".png"):
        explorer.save(tmp_path / "favourite.jpg")


def test_explorer_widget_callbacks_update_the_picture_and_save(tmp_path):
    generator, _ = _linear_generator()
    explorer = widgets.LatentExplorer(generator, directions="random", n_directions=2)
    box = explorer.widget(save_dir=tmp_path)
    controls = box.controls
    before = controls["image"].value
    controls["sliders"][0].value = 2.0
    assert explorer.values[0] == 2.0
    assert controls["image"].value != before
    assert controls["image"].value == explorer.png_bytes()
    controls["seed"].value = 11
    assert explorer.seed == 11
    controls["on_save"]()
    assert (tmp_path / "seed_11_1.png").is_file() and (tmp_path / "seed_11_1.npy").is_file()
    assert "saved" in controls["status"].value
    controls["on_reset"]()
    np.testing.assert_array_equal(explorer.values, 0.0)


def test_explorer_holds_the_label_of_a_conditional_generator():
    keras.utils.set_random_seed(0)
    generator = models.mlp_generator(latent_dim=4, hidden=(8,), num_classes=10)
    explorer = widgets.LatentExplorer(generator, directions="axes", n_directions=2, seed=2, label=6)
    np.testing.assert_allclose(explorer.render(), training.generate(generator, 1, seed=2, labels=[6])[0], atol=1e-5)
    explorer.set_label(1)
    np.testing.assert_allclose(explorer.render(), training.generate(generator, 1, seed=2, labels=[1])[0], atol=1e-5)


def test_explorer_renders_a_cppn_at_any_size_in_colour(cppn):
    explorer = widgets.LatentExplorer(cppn, directions="random", n_directions=2, size=32, palette="magma")
    picture = explorer.render()
    assert picture.shape == (32, 32, 3)
    grey = models.render_cppn(cppn, explorer.latent, size=32)
    np.testing.assert_allclose(picture, viz.colorize(grey, "magma"), atol=1e-5)
    with pytest.raises(ValueError, match="CPPN"):
        widgets.LatentExplorer(_linear_generator()[0], directions="axes", size=32)


# ---------------------------------------------------------------------- the command line


def _fake_run(directory, model, dataset, generator):
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(dict(model=model, dataset=dataset, seed=0)))
    generator.save(directory / "generator.keras")
    return str(directory)


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    keras.utils.set_random_seed(0)
    return dict(
        cppn=_fake_run(root / "cppn", "cppn", "mnist", models.cppn_generator(latent_dim=8, hidden=16)),
        dcgan=_fake_run(root / "dcgan", "dcgan", "mnist", models.dcgan_generator(latent_dim=8, filters=4)),
        cdcgan=_fake_run(root / "cdcgan", "cdcgan", "mnist",
                         models.dcgan_generator(latent_dim=8, filters=4, num_classes=10)),
        toy=_fake_run(root / "toy", "gan", "ring8", models.toy_generator()),
    )


def test_cli_render_writes_a_png_of_the_requested_size(run_dirs, tmp_path, capsys):
    out = tmp_path / "art.png"
    assert cli.main(["render", run_dirs["cppn"], "--size", "64", "--seed", "3", "--out", str(out)]) == 0
    with Image.open(out) as png:
        assert png.size == (64, 64)
        picture = np.asarray(png)
    generator = models.load_generator(run_dirs["cppn"])
    expected = viz.to_uint8(models.render_cppn(generator, viz.seed_latents([3], 8)[0], size=64))[..., 0]
    np.testing.assert_array_equal(picture, expected)
    assert "64x64" in capsys.readouterr().out


def test_cli_interpolate_writes_a_gif_with_the_requested_frames(run_dirs, tmp_path):
    out = tmp_path / "walk.gif"
    assert cli.main(["interpolate", run_dirs["cdcgan"], "--from", "1", "--to", "2", "--frames", "5",
                     "--label", "4", "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 5
        assert gif.size == (28 * 4, 28 * 4)
    out = tmp_path / "cppn.gif"
    assert cli.main(["interpolate", run_dirs["cppn"], "--from", "0", "--to", "9", "--frames", "3", "--size", "40",
                     "--palette", "magma", "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 3 and gif.size == (40, 40)


@pytest.mark.parametrize("args, message", [
    (["render", "{cppn}", "--size", "4", "--out", "a.png"], "between 8 and 8192"),
    (["render", "{cppn}", "--size", "9000", "--out", "a.png"], "between 8 and 8192"),
    (["render", "{cppn}", "--size", "big", "--out", "a.png"], "positive integer"),
    (["render", "{cppn}", "--seed", "-3", "--out", "a.png"], "seed must be >= 0"),
    (["render", "{cppn}", "--out", "a.jpg"], ".png"),
    (["render", "{dcgan}", "--out", "a.png"], "only a CPPN run"),
    (["render", "{toy}", "--out", "a.png"], "2D points"),
    (["render", "{cppn}", "--palette", "no-such-palette", "--out", "a.png"], "palette"),
    (["render", "/no/such/run", "--out", "a.png"], "does not exist"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--frames", "1", "--out", "w.gif"], "between 2"),
    (["interpolate", "{dcgan}", "--from", "-1", "--to", "2", "--out", "w.gif"], "seed must be >= 0"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--out", "w.png"], ".gif"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--size", "64", "--out", "w.gif"], "needs a CPPN"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--label", "3", "--out", "w.gif"], "conditional"),
    (["interpolate", "{cdcgan}", "--from", "1", "--to", "2", "--label", "12", "--out", "w.gif"], "0..9"),
    (["interpolate", "{toy}", "--from", "1", "--to", "2", "--out", "w.gif"], "2D points"),
    (["interpolate", "{dcgan}", "--to", "2", "--out", "w.gif"], "--from"),
])
def test_cli_art_commands_reject_bad_arguments_with_exit_code_2(run_dirs, tmp_path, monkeypatch, capsys, args,
                                                                message):
    monkeypatch.chdir(tmp_path)
    argv = [a.format(**run_dirs) for a in args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganlab: error:") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # nothing written


def test_gif_html_embeds_the_gif(tmp_path):
    import base64

    path = viz.save_gif([np.zeros((4, 4)), np.ones((4, 4))], tmp_path / "walk.gif")
    html = viz.gif_html(path, width=120).data
    assert 'width="120"' in html
    encoded = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(encoded) == path.read_bytes()
    (tmp_path / "fake.gif").write_bytes(b"not a gif")
    with pytest.raises(ValueError, match="not a GIF"):
        viz.gif_html(tmp_path / "fake.gif")


def test_cli_train_accepts_the_cppn_recipe():
    args = cli.build_parser().parse_args(["train", "--model", "cppn", "--dataset", "mnist", "--out", "runs/cppn"])
    assert args.model == "cppn" and args.model in runs.RECIPES
    assert runs.get_recipe("cppn", "mnist").kinds == ("image",)
    with pytest.raises(ValueError, match="does not train"):
        runs.get_recipe("cppn", "ring8")


def test_contact_sheet_captions_stay_readable_on_a_dark_background():
    images = np.full((2, 8, 8, 1), -1.0)
    light = np.asarray(viz.contact_sheet(images, captions=["a", "b"], thumb=40))
    dark = np.asarray(viz.contact_sheet(images, captions=["a", "b"], thumb=40, background=(20, 20, 20)))
    caption_band = (slice(6 + 40, 6 + 40 + 14), slice(6, 6 + 40))
    assert light[caption_band].min() <= 60  # dark text on white
    assert dark[caption_band].max() >= 200  # light text on near-black
