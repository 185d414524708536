"""Tests for ganlab.widgets (MinimaxExplorer, Playground) and the chapter-1 math they use.

The chapter-1 grid math lives in ``ganlab.losses`` (optimal_discriminator,
value_function, kl_divergence, jensen_shannon) and the table and plot helpers in
``ganlab.viz``; their tests are here, next to the tools that use them.
Widgets are exercised without a browser: their handlers are plain methods.
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ganlab import losses, viz, widgets  # noqa: E402

GRID = np.linspace(-12.0, 12.0, 4801)


def _gauss(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


# ---------------------------------------------------------------------- losses: the minimax game on a grid


def test_optimal_discriminator_is_the_density_ratio_pointwise():
    p_data = np.array([1.0, 0.0, 2.0, 3.0, 0.0])
    p_g = np.array([1.0, 2.0, 0.0, 1.0, 0.0])
    expected = np.array([0.5, 0.0, 1.0, 0.75, 0.5])  # by hand; both zero -> 1/2
    np.testing.assert_allclose(losses.optimal_discriminator(p_data, p_g), expected)


def test_value_function_of_the_uninformed_discriminator_is_minus_log_four():
    p = _gauss(GRID, 0.0, 1.0)
    q = _gauss(GRID, 3.0, 0.5)
    assert losses.value_function(np.full_like(GRID, 0.5), p, q, GRID) == pytest.approx(-math.log(4), abs=1e-6)


def test_kl_divergence_of_two_unit_gaussians_is_half_the_squared_mean_gap():
    # KL(N(0,1) || N(1,1)) = (0 - 1)^2 / 2 = 0.5; KL(N(0,1) || N(0,2^2)) = log 2 + 1/8 - 1/2
    assert losses.kl_divergence(_gauss(GRID, 0, 1), _gauss(GRID, 1, 1), GRID) == pytest.approx(0.5, abs=1e-6)
    expected = math.log(2) + 1 / 8 - 0.5
    assert losses.kl_divergence(_gauss(GRID, 0, 1), _gauss(GRID, 0, 2), GRID) == pytest.approx(expected, abs=1e-6)


def test_jensen_shannon_is_zero_for_equal_and_log_two_for_disjoint_densities():
    p = _gauss(GRID, 0.0, 1.0)
    assert losses.jensen_shannon(p, p, GRID) == pytest.approx(0.0, abs=1e-12)
    left = np.where((GRID > -3) & (GRID < -1), 0.5, 0.0)
    right = np.where((GRID > 1) & (GRID < 3), 0.5, 0.0)
    assert losses.jensen_shannon(left, right, GRID) == pytest.approx(math.log(2), abs=2e-3)


def test_jensen_shannon_of_two_overlapping_boxes_matches_the_hand_computation():
    # p uniform on [0, 2], q uniform on [1, 3]: on the overlap m = p = q, elsewhere m = p / 2 or q / 2,
    # so KL(p || m) = 1/2 log 2 and JSD = 1/2 log 2.
    x = np.linspace(-1, 4, 50001)
    p = np.where((x >= 0) & (x <= 2), 0.5, 0.0)
    q = np.where((x >= 1) & (x <= 3), 0.5, 0.0)
    assert losses.jensen_shannon(p, q, x) == pytest.approx(0.5 * math.log(2), abs=1e-3)


def test_value_at_the_optimal_discriminator_is_minus_log_four_plus_twice_the_jsd():
    p = _gauss(GRID, 0.0, 1.0)
    q = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.5, 0.7)
    d_star = losses.optimal_discriminator(p, q)
    value = losses.value_function(d_star, p, q, GRID)
    assert value == pytest.approx(-math.log(4) + 2 * losses.jensen_shannon(p, q, GRID), abs=1e-9)
    # and D* beats any other discriminator
    assert value > losses.value_function(np.clip(d_star + 0.05, 0, 1), p, q, GRID)
    assert value > losses.value_function(np.full_like(GRID, 0.5), p, q, GRID)


def test_grid_helpers_refuse_bad_grids_and_densities():
    with pytest.raises(ValueError, match="increasing"):
        losses.jensen_shannon(np.ones(3), np.ones(3), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        losses.kl_divergence(np.ones(3), np.ones(4), np.arange(3.0))
    with pytest.raises(ValueError, match="non-negative"):
        losses.jensen_shannon(np.array([1.0, -1.0]), np.ones(2), np.arange(2.0))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.value_function(np.full(2, 1.5), np.ones(2), np.ones(2), np.arange(2.0))


# ---------------------------------------------------------------------- viz helpers


def test_markdown_table_formats_dict_rows_with_a_header_and_rounded_floats():
    table = viz.markdown_table([{"model": "gan", "modes": 3, "hq": 0.12345},
                                {"model": "wgan-gp", "modes": 8, "hq": 0.9}], digits=2)
    assert table.splitlines() == ["| model | modes | hq |", "|---|---|---|",
                                  "| gan | 3 | 0.12 |", "| wgan-gp | 8 | 0.90 |"]


def test_markdown_table_refuses_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 cells"):
        viz.markdown_table([[1, 2]], columns=["a", "b", "c"])


def test_plot_minimax_draws_both_densities_and_the_discriminator():
    x = np.linspace(-3, 3, 61)
    ax = viz.plot_minimax(x, _gauss(x, 0, 1), _gauss(x, 1, 1), d=np.full_like(x, 0.5))
    assert len(ax.collections) == 2 and len(ax.lines) == 1
    plt.close(ax.figure)


# ---------------------------------------------------------------------- MinimaxExplorer


def test_mixture_density_integrates_to_one_and_samples_have_its_mean():
    mixture = widgets.Mixture1D(means=(-1.0, 2.0), stds=(0.5, 0.3), weights=(3, 1))
    assert np.trapezoid(mixture.density(GRID), GRID) == pytest.approx(1.0, abs=1e-9)
    points = mixture.sample(20_000, seed=0)
    assert points.shape == (20_000, 1) and points.dtype == np.float32
    assert points.mean() == pytest.approx(0.75 * -1.0 + 0.25 * 2.0, abs=0.02)
    np.testing.assert_array_equal(points, mixture.sample(20_000, seed=0))


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


def test_toy_snapshot_draws_the_surface_under_real_and_generated_points():
    from ganlab import models

    discriminator = models.toy_discriminator(hidden=(8,))
    ax, image = viz.toy_snapshot(discriminator, np.zeros((5, 2)), real=np.ones((7, 2)),
                                 centres=np.array([[2.0, 0.0]]), resolution=10)
    assert ax.get_xlim() == pytest.approx((-2.8, 2.8))
    assert len(ax.images) == 1 and len(ax.collections) == 2
    assert image.get_array().shape == (10, 10)
    plt.close(ax.figure)


def test_playground_defaults_are_the_gan_recipe():
    from ganlab import runs

    playground = widgets.Playground("ring8", n_samples=10)
    recipe = runs.build_gan("gan", "ring8", seed=0)
    assert playground.settings["loss"] == recipe.loss_name
    assert playground.settings["discriminator_steps"] == recipe.discriminator_steps
    assert playground.batch_size == runs.RECIPES["gan"].batch_size
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


def test_markdown_table_escapes_vertical_bars_inside_cells():
    table = viz.markdown_table([{"KL(q || u)": "a|b"}])
    assert table.splitlines()[0] == "| KL(q \\|\\| u) |"
    assert table.splitlines()[2] == "| a\\|b |"
