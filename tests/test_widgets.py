"""Tests for ganlab.widgets: MinimaxExplorer, Playground and LatentExplorer.

Widgets are exercised without a browser: their handlers are plain methods.
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import json  # noqa: E402

import keras  # noqa: E402
from PIL import Image  # noqa: E402

from ganlab import latent, models, viz, widgets  # noqa: E402
from ganlab.cppn import render_cppn  # noqa: E402


# ---------------------------------------------------------------------- losses: the minimax game on a grid


# ---------------------------------------------------------------------- viz helpers


# ---------------------------------------------------------------------- MinimaxExplorer


def test_explorer_reaches_minus_log_four_where_p_g_equals_p_data():
    explorer = widgets.MinimaxExplorer()
    values = explorer.values(explorer.data_mean)
    assert values["JSD"] == pytest.approx(0.0, abs=1e-12)
    assert values["V"] == pytest.approx(-math.log(4), abs=1e-9)
    np.testing.assert_allclose(values["d_star"][values["p_g"] > 1e-6], 0.5)


def test_explorer_render_returns_a_figure_and_consistent_values():
    explorer = widgets.MinimaxExplorer(g_std=1.0)
    fig, values = explorer.render(1.0)
    assert len(fig.axes) == 2
    assert values["V"] == pytest.approx(values["bound"], abs=1e-6)
    assert values["V"] > -math.log(4) + 1e-3  # one Gaussian cannot match two bumps
    assert explorer.last is values
    assert np.all(np.isfinite(explorer.curve))
    plt.close(fig)


def test_explorer_slider_redraws_with_the_new_mean():
    explorer = widgets.MinimaxExplorer()
    box = explorer.widget(mean=0.0)
    first = explorer.last["V"]
    box.slider.value = 2.0
    assert explorer.last["mean"] == 2.0
    assert explorer.last["V"] != first
    plt.close("all")


# ---------------------------------------------------------------------- Playground


@pytest.fixture(scope="module")
def playground():
    return widgets.Playground("ring8", steps_per_click=20, batch_size=64, n_samples=200, seed=3)


def test_playground_steps_change_the_samples_and_reset_restores_them(playground):
    playground.reset()
    before = playground.samples()
    playground.step()
    playground.step(10)
    assert playground.steps == 30
    assert playground.history["step"] == [20, 30]
    assert not np.allclose(playground.samples(), before)
    playground.reset()
    assert playground.steps == 0 and playground.history["step"] == []
    np.testing.assert_allclose(playground.samples(), before, atol=1e-6)


def test_playground_render_draws_the_surface_and_the_losses(playground):
    playground.reset()
    playground.step()
    fig = playground.render()
    surface, losses_axis, colour_bar = fig.axes
    assert surface.get_title().startswith("step 20:")
    assert len(surface.images) == 1 and len(surface.collections) == 2  # D's heatmap, real and generated points
    assert len(losses_axis.lines) == 2
    assert colour_bar.get_ylabel() == "D(x)"
    plt.close(fig)


def test_playground_configure_keeps_the_weights_and_switches_the_loss(playground):
    playground.reset()
    playground.step()
    samples = playground.samples()
    playground.configure(loss="wgan-gp", discriminator_steps=2)
    np.testing.assert_allclose(playground.samples(), samples)
    assert playground.gan.gradient_penalty_weight == 10.0 and playground.gan.discriminator_steps == 2
    logs = playground.step(5)
    assert "gradient_penalty" in logs
    playground.configure(loss="non_saturating", discriminator_steps=1)


def test_playground_refuses_unknown_settings(playground):
    with pytest.raises(ValueError, match="unknown loss"):
        playground.configure(loss="magic")
    with pytest.raises(ValueError, match="positive"):
        playground.configure(d_learning_rate=0.0)
    with pytest.raises(ValueError, match="discriminator_steps"):
        playground.configure(discriminator_steps=0)


def test_playground_widget_buttons_step_and_reset(playground):
    playground.reset()
    box = playground.widget(run_clicks=2)
    controls = box.controls
    first_figure = playground.figure
    controls["step"].click()
    assert playground.steps == 20
    assert playground.figure is not first_figure  # redrawn
    controls["run"].click()
    assert playground.steps == 60
    controls["d_learning_rate"].value = 1e-4
    assert playground.settings["d_learning_rate"] == pytest.approx(1e-4)
    controls["reset"].click()
    assert playground.steps == 0
    assert playground.settings["d_learning_rate"] == pytest.approx(1e-4)  # reset keeps the chosen settings
    assert playground.figure.axes[0].get_title().startswith("step 0:")
    plt.close("all")


def test_playground_filmstrip_draws_one_panel_per_step_count(playground):
    playground.reset()
    fig, scores = playground.filmstrip([0, 10, 30])
    assert playground.steps == 30
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["step 0", "step 10", "step 30"]
    assert len(scores) == 3 and all(0 <= score.modes <= 8 for score in scores)
    plt.close(fig)
    with pytest.raises(ValueError, match="increase"):
        playground.filmstrip([40, 35])


def test_playground_defaults_are_the_gan_recipe():
    from ganlab import recipes

    playground = widgets.Playground("ring8", n_samples=10)
    recipe = recipes.build_gan("gan", "ring8", seed=0)
    assert playground.settings["loss"] == recipe.loss_name
    assert playground.settings["discriminator_steps"] == recipe.discriminator_steps
    assert playground.batch_size == recipes.RECIPES["gan"].batch_size
    for player in ("d", "g"):
        ours = float(getattr(playground.gan, f"{player}_optimizer").learning_rate)
        theirs = float(getattr(recipe, f"{player}_optimizer").learning_rate)
        assert ours == pytest.approx(theirs)
    assert playground.settings["d_learning_rate"] < playground.settings["g_learning_rate"]


def test_playground_widens_the_view_to_keep_wandering_samples_in_sight(playground):
    playground.reset()
    last = playground.gan.generator.layers[-1]
    kernel, bias = last.get_weights()
    last.set_weights([kernel, bias + 4.0])  # move every sample about 4 to the upper right
    ax, _ = playground.draw()
    assert ax.get_xlim()[1] >= float(playground.samples().max())
    assert ax.get_xlim()[1] <= 3 * playground.limit
    plt.close(ax.figure)
    playground.reset()


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
    np.testing.assert_allclose(start, latent.generate(generator, 1, seed=7)[0], atol=1e-5)
    explorer.set_direction(1, -2.0)
    moved = latent.seed_latents([7], 4)[0] - 2.0 * explorer.directions[1]
    np.testing.assert_allclose(explorer.render(), latent.generate(generator, 1, latents=moved[None])[0],
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
    saved = np.load(paths["npy"])
    np.testing.assert_allclose(saved, latent.seed_latents([3], 4)[0] + np.array([1.5, 0, 0, 0]), atol=1e-6)
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
    np.testing.assert_allclose(explorer.render(), latent.generate(generator, 1, seed=2, labels=[6])[0], atol=1e-5)
    explorer.set_label(1)
    np.testing.assert_allclose(explorer.render(), latent.generate(generator, 1, seed=2, labels=[1])[0], atol=1e-5)


def test_explorer_renders_a_cppn_at_any_size_in_colour(cppn):
    explorer = widgets.LatentExplorer(cppn, directions="random", n_directions=2, size=32, palette="magma")
    picture = explorer.render()
    assert picture.shape == (32, 32, 3)
    grey = render_cppn(cppn, explorer.latent, size=32)
    np.testing.assert_allclose(picture, viz.colorize(grey, "magma"), atol=1e-5)
    with pytest.raises(ValueError, match="CPPN"):
        widgets.LatentExplorer(_linear_generator()[0], directions="axes", size=32)
