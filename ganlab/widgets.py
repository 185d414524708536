"""Interactive tools for Jupyter and Colab, built on ipywidgets.

Each tool keeps its logic in plain methods (``step()``, ``render()``, ...)
that tests call without a browser; the widgets only wire buttons and sliders
to those methods.
"""

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from ganlab import losses, viz

# ---------------------------------------------------------------------- chapter 1: the minimax game in 1D


@dataclass
class Mixture1D:
    """A mixture of 1D Gaussians: its density on a grid and samples from it (chapter 1).

    Args:
        means, stds, weights: one entry per component; weights are normalised to sum to 1.
    """

    means: tuple
    stds: tuple
    weights: tuple = None

    def __post_init__(self):
        self.means = np.atleast_1d(np.asarray(self.means, dtype=np.float64))
        self.stds = np.atleast_1d(np.asarray(self.stds, dtype=np.float64))
        weights = np.ones(len(self.means)) if self.weights is None else self.weights
        self.weights = np.atleast_1d(np.asarray(weights, dtype=np.float64))
        if not (self.means.shape == self.stds.shape == self.weights.shape) or self.means.ndim != 1:
            raise ValueError("means, stds and weights must be 1D and of one length.")
        if np.any(self.stds <= 0) or np.any(self.weights < 0) or self.weights.sum() <= 0:
            raise ValueError("stds must be positive and weights non-negative with a positive sum.")
        self.weights = self.weights / self.weights.sum()

    def density(self, x):
        """p(x) = sum_k w_k N(x; mu_k, sigma_k^2), evaluated at the points ``x``."""
        x = np.asarray(x, dtype=np.float64)[..., None]
        z = (x - self.means) / self.stds
        return np.sum(self.weights * np.exp(-0.5 * z ** 2) / (self.stds * math.sqrt(2 * math.pi)), axis=-1)

    def sample(self, n, seed=None):
        """Draw ``n`` points, float32 of shape (n, 1); the same seed gives the same points."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        rng = np.random.default_rng(seed)
        components = rng.choice(len(self.means), size=n, p=self.weights)
        points = self.means[components] + self.stds[components] * rng.standard_normal(n)
        return points.astype(np.float32)[:, None]


class MinimaxExplorer:
    """Slide the generator's mean and watch D*, V(D*, G) and JSD(p_data || p_g) (chapter 1).

    p_data is a fixed :class:`Mixture1D`; p_g is a Gaussian N(mean, g_std^2)
    whose mean the slider moves. :meth:`values` computes, on the grid ``x``,
    D*(x) = p_data / (p_data + p_g), V(D*, G) by numerical integration and
    -log 4 + 2 JSD(p_data || p_g) from the divergence; :meth:`render` draws them;
    :meth:`widget` wires a slider to :meth:`render`.

    Args:
        data: the data distribution (default: two bumps, at -1.5 and 1.5).
        g_std: the standard deviation of p_g.
        x: the grid (default: 1201 points on [-6, 6]).
        means: the generator means the V-curve (right panel) and the slider span.
    """

    def __init__(self, data=None, g_std=1.0, x=None, means=None):
        self.data = data if data is not None else Mixture1D(means=(-1.5, 1.5), stds=(0.5, 0.5))
        self.g_std = float(g_std)
        if self.g_std <= 0:
            raise ValueError(f"g_std must be positive, got {g_std!r}.")
        self.x = np.linspace(-6.0, 6.0, 1201) if x is None else np.asarray(x, dtype=np.float64)
        self.means = np.linspace(-4.0, 4.0, 81) if means is None else np.asarray(means, dtype=np.float64)
        self.p_data = self.data.density(self.x)
        self.curve = np.array([self.values(mean)["V"] for mean in self.means])
        self.last = None

    def generator_distribution(self, mean):
        """p_g for a generator mean: the Gaussian N(mean, g_std^2) as a :class:`Mixture1D`."""
        return Mixture1D(means=(mean,), stds=(self.g_std,))

    def values(self, mean):
        """D*, V(D*, G) (integrated) and -log 4 + 2 JSD (from the divergence) for a generator mean.

        Returns:
            A dict with ``mean``, ``p_g`` and ``d_star`` (arrays on ``x``), ``V``, ``JSD`` and
            ``bound`` = -log 4 + 2 JSD, which equals ``V`` up to the grid's integration error.
        """
        p_g = self.generator_distribution(mean).density(self.x)
        d_star = losses.optimal_discriminator(self.p_data, p_g)
        jsd = losses.jensen_shannon(self.p_data, p_g, self.x)
        return dict(mean=float(mean), p_g=p_g, d_star=d_star, V=losses.value_function(d_star, self.p_data, p_g, self.x),
                    JSD=jsd, bound=-math.log(4.0) + 2.0 * jsd)

    def render(self, mean, fig=None):
        """Draw p_data, p_g and D* (left) and V(D*, G) against the generator mean (right).

        Returns:
            ``(fig, values)`` with ``values`` from :meth:`values`; also kept in ``self.last``.
        """
        values = self.values(mean)
        if fig is None:
            fig = plt.figure(figsize=(10, 3.5))
        fig.clear()
        left, right = fig.subplots(1, 2)
        viz.plot_minimax(self.x, self.p_data, values["p_g"], d=values["d_star"], ax=left,
                         title=f"generator mean {values['mean']:+.2f}")
        left.legend(loc="upper right", fontsize=8)
        right.plot(self.means, self.curve, color="black", label="$V(D^*, G)$")
        right.axhline(-math.log(4.0), color="gray", ls="--", label=r"$-\log 4$")
        right.plot([values["mean"]], [values["V"]], "o", color="tab:orange", ms=8)
        right.set_xlabel("generator mean")
        right.set_title(f"V = {values['V']:.4f}, -log 4 + 2 JSD = {values['bound']:.4f}", fontsize=10)
        right.legend(loc="upper right", fontsize=8)
        right.grid(alpha=0.3)
        fig.tight_layout()
        self.last = values
        return fig, values

    def widget(self, mean=0.0):
        """An ipywidgets box: a slider for the generator mean above the live figure."""
        import ipywidgets
        from IPython.display import display

        slider = ipywidgets.FloatSlider(value=mean, min=float(self.means[0]), max=float(self.means[-1]), step=0.1,
                                        description="mean of p_g", continuous_update=False)
        output = ipywidgets.Output()

        def redraw(change=None):
            with output:
                output.clear_output(wait=True)
                fig, _ = self.render(slider.value)
                display(fig)
                plt.close(fig)

        slider.observe(redraw, names="value")
        redraw()
        box = ipywidgets.VBox([slider, output])
        box.slider, box.output = slider, output
        return box
