"""Interactive tools for Jupyter and Colab, built on ipywidgets.

Each tool keeps its logic in plain methods (``step()``, ``render()``, ...)
that tests call without a browser; the widgets only wire buttons and sliders
to those methods.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

from ganlab import _checks, latent, theory, viz

# ---------------------------------------------------------------------- chapter 1: the minimax game in 1D


class MinimaxExplorer:
    """Slide the generator's mean and watch D*, V(D*, G) and JSD(p_data || p_g) (chapter 1).

    p_data is a fixed :class:`ganlab.theory.Mixture1D`; p_g is p_data shifted so that its mean is
    ``mean`` (or, with ``g_std``, one Gaussian N(mean, g_std^2)), and the slider
    moves that mean. With the shifted copy, p_g = p_data when the two means agree,
    and there V(D*, G) reaches its global minimum -log 4. :meth:`values` computes, on the grid ``x``,
    D*(x) = p_data / (p_data + p_g), V(D*, G) by numerical integration and
    -log 4 + 2 JSD(p_data || p_g) from the divergence; :meth:`render` draws them;
    :meth:`widget` wires a slider to :meth:`render`.

    Args:
        data: the data distribution (default: two bumps, weights 0.6 and 0.4, at -1.5 and 1.5).
        g_std: None (p_g is a shifted copy of p_data) or the std of a one-Gaussian p_g.
        x: the grid (default: 2201 points on [-11, 11], wide enough that every p_g in
            ``means`` keeps all but a negligible part of its mass on it).
        means: the generator means the V-curve (right panel) and the slider span
            (default: -5 to 5 in steps of 0.1).
        view: the x range the density plots show.
    """

    def __init__(self, data=None, g_std=None, x=None, means=None, view=(-7.0, 7.0)):
        self.data = data if data is not None else theory.Mixture1D(means=(-1.5, 1.5), stds=(0.5, 0.6), weights=(0.6, 0.4))
        if g_std is not None and g_std <= 0:
            raise ValueError(f"g_std must be positive or None, got {g_std!r}.")
        self.g_std = g_std
        self.data_mean = float(np.sum(self.data.weights * self.data.means))
        self.x = np.linspace(-11.0, 11.0, 2201) if x is None else np.asarray(x, dtype=np.float64)
        self.means = np.linspace(-5.0, 5.0, 101) if means is None else np.asarray(means, dtype=np.float64)
        self.view = view
        self.p_data = self.data.density(self.x)
        self.curve = np.array([self.values(mean)["V"] for mean in self.means])
        self.last = None

    def generator_distribution(self, mean):
        """p_g with mean ``mean``, as a :class:`ganlab.theory.Mixture1D`: p_data shifted, or N(mean, g_std^2)."""
        if self.g_std is not None:
            return theory.Mixture1D(means=(mean,), stds=(self.g_std,))
        return theory.Mixture1D(means=self.data.means + (mean - self.data_mean), stds=self.data.stds,
                         weights=self.data.weights)

    def values(self, mean):
        """D*, V(D*, G) (integrated) and -log 4 + 2 JSD (from the divergence) for a generator mean.

        Returns:
            A dict with ``mean``, ``p_g`` and ``d_star`` (arrays on ``x``), ``V``, ``JSD`` and
            ``bound`` = -log 4 + 2 JSD, which equals ``V`` up to the grid's integration error.
        """
        p_g = self.generator_distribution(mean).density(self.x)
        d_star = theory.optimal_discriminator(self.p_data, p_g)
        jsd = theory.jensen_shannon(self.p_data, p_g, self.x)
        return dict(mean=float(mean), p_g=p_g, d_star=d_star, V=theory.value_function(d_star, self.p_data, p_g, self.x),
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
        viz.plot_minimax(self.x, self.p_data, values["p_g"], d=values["d_star"], ax=left, xlim=self.view,
                         title=f"generator mean {values['mean']:+.2f}")
        left.legend(loc="upper right", fontsize=8)
        right.plot(self.means, self.curve, color="black", label="$V(D^*, G)$")
        right.axhline(-math.log(4.0), color="gray", ls="--", label=r"$-\log 4$")
        right.plot([values["mean"]], [values["V"]], "o", color="tab:orange", ms=8)
        right.set_xlabel("generator mean")
        right.set_title(f"V = {values['V']:.4f}, -log 4 + 2 JSD = {values['bound']:.4f}", fontsize=10)
        right.legend(loc="lower right", fontsize=8)
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


# ---------------------------------------------------------------------- chapter 3: the 2D GAN playground


class Playground:
    """Train a small GAN on 2D data step by step and watch it (chapter 3).

    The logic is in plain methods, so it runs (and is tested) without a browser:
    :meth:`step` trains, :meth:`draw` / :meth:`render` draw the discriminator's
    decision surface under the generated samples, :meth:`metrics` scores them
    with ``ganlab.metrics.toy_metrics``, :meth:`configure` changes the loss or
    the learning rates (keeping the weights), :meth:`reset` starts over from the
    same initial weights. :meth:`widget` wires buttons and sliders to them for
    Jupyter and Colab.

    The defaults are the toy recipe ``gan`` of ``ganlab.recipes``: the toy MLPs,
    non-saturating loss, Adam with beta1 0.5 and the learning rates of
    ``recipes.TOY_GAN_LEARNING_RATES`` (D 1e-4, G 1e-3: the setting that collapses), batch 256.

    Args:
        dataset: ``"ring8"`` or ``"grid25"``.
        loss: one of :data:`LOSSES`; ``"wgan-gp"`` is the Wasserstein loss with a gradient penalty of 10.
        d_learning_rate, g_learning_rate: Adam learning rates of D and G (default: the ``gan`` recipe's).
        discriminator_steps: D updates per G update.
        minibatch_std: give the discriminator the minibatch standard deviation feature.
        batch_size: real (and fake) points per step.
        steps_per_click: generator steps that one :meth:`step` (one click on "step") trains.
        seed: seeds the weights, the noise and the data.
        n_samples: generated points drawn by :meth:`samples` (fixed latent vectors).
    """

    LOSSES = ("non_saturating", "minimax", "least_squares", "hinge", "wgan-gp")

    def __init__(self, dataset="ring8", loss="non_saturating", d_learning_rate=None, g_learning_rate=None,
                 discriminator_steps=1, minibatch_std=False, batch_size=256, steps_per_click=250, seed=0,
                 n_samples=1000):
        from ganlab import datasets, recipes

        if d_learning_rate is None:
            d_learning_rate = recipes.TOY_GAN_LEARNING_RATES["discriminator"]
        if g_learning_rate is None:
            g_learning_rate = recipes.TOY_GAN_LEARNING_RATES["generator"]

        self.distribution = datasets.toy_distribution(dataset)
        self.dataset = dataset
        self.settings = {}
        self._check_settings(loss=loss, d_learning_rate=d_learning_rate, g_learning_rate=g_learning_rate,
                             discriminator_steps=discriminator_steps)
        self.settings.update(loss=loss, d_learning_rate=float(d_learning_rate),
                             g_learning_rate=float(g_learning_rate), discriminator_steps=int(discriminator_steps))
        self.minibatch_std = bool(minibatch_std)
        self.batch_size = int(batch_size)
        self.steps_per_click = int(steps_per_click)
        self.seed = seed
        self.n_samples = int(n_samples)
        self.real = self.distribution.sample(20_000, seed=seed)
        self.limit = float(np.abs(self.distribution.centres).max()) * 1.4
        self.reset()

    def _check_settings(self, **settings):
        if "loss" in settings and settings["loss"] not in self.LOSSES:
            raise ValueError(f"unknown loss {settings['loss']!r}; choose one of {self.LOSSES}.")
        for name in ("d_learning_rate", "g_learning_rate"):
            if name in settings and not settings[name] > 0:
                raise ValueError(f"{name} must be positive, got {settings[name]!r}.")
        steps = settings.get("discriminator_steps", 1)
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"discriminator_steps must be a positive integer, got {steps!r}.")
        unknown = set(settings) - {"loss", "d_learning_rate", "g_learning_rate", "discriminator_steps"}
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}.")

    def _compile(self):
        import keras

        loss = self.settings["loss"]
        beta_1, beta_2 = (0.0, 0.9) if loss == "wgan-gp" else (0.5, 0.999)

        def adam(rate):
            return keras.optimizers.Adam(learning_rate=rate, beta_1=beta_1, beta_2=beta_2)

        self.gan.compile(d_optimizer=adam(self.settings["d_learning_rate"]),
                         g_optimizer=adam(self.settings["g_learning_rate"]),
                         loss="wasserstein" if loss == "wgan-gp" else loss,
                         gradient_penalty_weight=10.0 if loss == "wgan-gp" else 0.0,
                         discriminator_steps=self.settings["discriminator_steps"])

    def reset(self):
        """Start over: the same initial weights (from ``seed``), fresh optimizers, step 0."""
        import keras

        from ganlab import datasets, models, training

        keras.utils.set_random_seed(self.seed)
        generator = models.toy_generator()
        discriminator = models.toy_discriminator(minibatch_std=self.minibatch_std)
        self.gan = training.GAN(generator, discriminator, seed=self.seed)
        self._compile()
        self.data = datasets.make_dataset(self.real, batch_size=self.batch_size, seed=self.seed).repeat()
        self.latents = latent.latent_vectors(self.n_samples, self.gan.latent_dim, seed=self.seed + 1)
        self.steps = 0
        self.history = {"step": [], "d_loss": [], "g_loss": []}

    def configure(self, **settings):
        """Change ``loss``, ``d_learning_rate``, ``g_learning_rate`` or ``discriminator_steps``.

        The networks keep their weights; the optimizers start afresh with the new settings.
        """
        self._check_settings(**settings)
        self.settings.update(settings)
        self._compile()

    def step(self, steps=None):
        """Train ``steps`` generator steps (default ``steps_per_click``) and return the last logs."""
        steps = self.steps_per_click if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}.")
        history = self.gan.fit(self.data, epochs=1, steps_per_epoch=int(steps), verbose=0)
        logs = {key: float(values[-1]) for key, values in history.history.items()}
        self.steps += int(steps)
        self.history["step"].append(self.steps)
        self.history["d_loss"].append(logs["d_loss"])
        self.history["g_loss"].append(logs["g_loss"])
        return logs

    def samples(self):
        """The generator's points for the fixed latent vectors: float32 (n_samples, 2)."""
        return self.gan.generate(self.n_samples, latents=self.latents)

    def metrics(self, n=2500):
        """``ganlab.metrics.toy_metrics`` of ``n`` fresh samples (modes, high_quality, kl, counts)."""
        from ganlab import metrics

        return metrics.toy_metrics(self.gan.generate(n, seed=self.seed + 2), self.distribution)

    def draw(self, ax=None, title=None, resolution=100):
        """Draw D's decision surface, the real points (gray) and the samples (orange) on one axis.

        The square shown is 1.4 times the data's extent, widened (up to three times that)
        when samples have wandered off it, so a clump far from the data stays in view.
        Returns the axes and the heatmap image (see ``ganlab.viz.toy_snapshot``).
        """
        samples = self.samples()
        farthest = float(np.abs(samples).max()) * 1.1 if np.all(np.isfinite(samples)) else np.inf
        limit = min(max(self.limit, farthest), 3 * self.limit)
        return viz.toy_snapshot(self.gan.discriminator, samples, real=self.real[:2000], limit=limit,
                                ax=ax, title=title if title is not None else f"step {self.steps}",
                                probabilities=self.settings["loss"] in ("minimax", "non_saturating"),
                                resolution=resolution)

    def filmstrip(self, steps, size=2.6):
        """Train up to each step count in ``steps`` (increasing) and draw a panel there.

        Each panel's title gives the step, the covered modes and the high-quality
        fraction from :meth:`metrics`. Returns ``(fig, scores)``, with one
        ``ToyMetrics`` per panel.
        """
        steps = [int(step) for step in steps]
        if not steps or any(b <= a for a, b in zip(steps, steps[1:])) or steps[0] < self.steps:
            raise ValueError(f"steps must increase and start at or after the current step {self.steps}, "
                             f"got {steps}.")
        fig, axes = plt.subplots(1, len(steps), figsize=(size * len(steps), size + 0.4), squeeze=False)
        scores = []
        for ax, step in zip(axes[0], steps):
            if step > self.steps:
                self.step(step - self.steps)
            score = self.metrics()
            scores.append(score)
            self.draw(ax, title=f"step {step}\n{score.modes}/{len(self.distribution.centres)} modes, "
                                f"{100 * score.high_quality:.0f}% HQ")
        fig.tight_layout()
        return fig, scores

    def render(self, fig=None):
        """Draw the decision surface with the samples (left) and the loss curves (right); return the figure."""
        if fig is None:
            fig = plt.figure(figsize=(9, 4))
        fig.clear()
        left, right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1, 1.2)))
        scores = self.metrics()
        _, image = self.draw(left, title=f"step {self.steps}: {scores.modes}/{len(self.distribution.centres)} "
                                         f"modes, {100 * scores.high_quality:.0f}% high quality")
        fig.colorbar(image, ax=left, fraction=0.046, pad=0.04,
                     label="D(x)" if self.settings["loss"] in ("minimax", "non_saturating") else "D score")
        if self.history["step"]:
            right.plot(self.history["step"], self.history["d_loss"], marker="o", label="d_loss")
            right.plot(self.history["step"], self.history["g_loss"], marker="o", label="g_loss")
            right.legend()
        right.set_xlabel("generator step")
        right.set_title(f"loss: {self.settings['loss']}", fontsize=10)
        right.grid(alpha=0.3)
        fig.tight_layout()
        self.figure = fig
        return fig

    def widget(self, run_clicks=10):
        """An ipywidgets box: loss, learning rates, D steps, step / run / reset buttons and the live figure.

        "step" trains ``steps_per_click`` steps; "run" does that ``run_clicks`` times,
        redrawing after each; "reset" restores the initial weights. Changing a control
        takes effect at the next step (the weights are kept).
        """
        import ipywidgets
        from IPython.display import display

        loss = ipywidgets.Dropdown(options=self.LOSSES, value=self.settings["loss"], description="loss")
        d_rate = ipywidgets.FloatLogSlider(value=self.settings["d_learning_rate"], base=10, min=-5, max=-2,
                                           step=0.25, description="D lr", readout_format=".1e")
        g_rate = ipywidgets.FloatLogSlider(value=self.settings["g_learning_rate"], base=10, min=-5, max=-2,
                                           step=0.25, description="G lr", readout_format=".1e")
        d_steps = ipywidgets.IntSlider(value=self.settings["discriminator_steps"], min=1, max=10,
                                       description="D steps")
        step_button = ipywidgets.Button(description=f"step ({self.steps_per_click})")
        run_button = ipywidgets.Button(description=f"run ({run_clicks * self.steps_per_click})")
        reset_button = ipywidgets.Button(description="reset")
        output = ipywidgets.Output()

        def redraw():
            with output:
                output.clear_output(wait=True)
                fig = self.render()
                display(fig)
                plt.close(fig)

        def on_setting(change):
            self.configure(loss=loss.value, d_learning_rate=d_rate.value, g_learning_rate=g_rate.value,
                           discriminator_steps=int(d_steps.value))

        def on_step(button=None):
            self.step()
            redraw()

        def on_run(button=None):
            for _ in range(run_clicks):
                self.step()
                redraw()

        def on_reset(button=None):
            self.reset()
            redraw()

        for control in (loss, d_rate, g_rate, d_steps):
            control.observe(on_setting, names="value")
        step_button.on_click(on_step)
        run_button.on_click(on_run)
        reset_button.on_click(on_reset)
        redraw()
        box = ipywidgets.VBox([ipywidgets.HBox([loss, d_steps]), ipywidgets.HBox([d_rate, g_rate]),
                               ipywidgets.HBox([step_button, run_button, reset_button]), output])
        box.controls = dict(loss=loss, d_learning_rate=d_rate, g_learning_rate=g_rate, discriminator_steps=d_steps,
                            step=step_button, run=run_button, reset=reset_button, output=output)
        return box


# ---------------------------------------------------------------------- chapter 8: the latent explorer


class LatentExplorer:
    """Move a latent vector along a few directions with sliders and watch the picture (chapter 8).

    The picture is G(z) with

    $$ z = z_0 + \\sum_{i=1}^{k} v_i u_i, $$

    where z_0 is the latent vector of a seed (the one ``gan.generate(1, seed=s)``
    uses), u_1, ..., u_k are orthonormal directions and v_i the slider values,
    in units of the latent's standard deviation (sliders span [-span, span]).

    Choosing the directions (``directions``):

    - ``"pca"`` (default): principal directions of the *pictures*. Draw
      ``samples`` latent vectors, generate their pictures, take the top k
      principal components of the pictures, and for each the latent direction
      whose linear regression best predicts that component's score (the
      output-space variant of GANSpace, Haerkoenen et al., 2020); then
      orthonormalise them in order. u_1 is the direction that, to first order,
      changes the pictures most. PCA of the latent vectors themselves would be
      useless: a standard Gaussian has no preferred direction.
    - ``"random"``: k random orthonormal directions (seeded by ``direction_seed``).
    - ``"axes"``: the first k coordinate axes of z.
    - an array (k, latent_dim): your own directions, orthonormalised in order.

    The logic lives in plain methods (:meth:`set_direction`, :meth:`set_seed`,
    :meth:`set_label`, :meth:`render`, :meth:`save`, :meth:`strip`) so it runs
    and is tested without a browser; :meth:`widget` wires sliders and a
    "save this one" button to them.

    Args:
        generator: a ganlab image generator (conditional ones take ``label``).
        directions: see above.
        n_directions: k, the number of sliders.
        seed: seed of z_0.
        label: the class for a conditional generator (default 0).
        size: a CPPN renders at this side in pixels (default: its training size).
        palette: colour grey pictures with ``viz.colorize`` (e.g. ``"magma"``).
        samples: pictures used to find the ``"pca"`` directions.
        span: the sliders run over [-span, span].
        direction_seed: seed of the ``"pca"`` samples and of the ``"random"`` directions.
    """

    def __init__(self, generator, directions="pca", n_directions=4, seed=0, label=None, size=None, palette=None,
                 samples=512, span=3.0, direction_seed=0):
        from ganlab.cppn import is_cppn

        self.generator = generator
        self.latent_dim = _checks.latent_dim(generator)
        self.conditional = _checks.is_conditional(generator)
        self.cppn = is_cppn(generator)
        if isinstance(n_directions, bool) or not isinstance(n_directions, (int, np.integer)) \
                or not 1 <= n_directions <= self.latent_dim:
            raise ValueError(f"n_directions must be an integer in [1, {self.latent_dim}], got {n_directions!r}.")
        if size is not None and not self.cppn:
            raise ValueError("size applies to CPPN generators only; other generators draw at their own size.")
        if not span > 0:
            raise ValueError(f"span must be positive, got {span!r}.")
        self.size, self.palette, self.span = size, palette, float(span)
        self.label = 0 if self.conditional and label is None else label
        self.explained_variance = None
        self.method = directions if isinstance(directions, str) else "custom"
        self.directions = self._directions(directions, int(n_directions), samples, direction_seed)
        self.values = np.zeros(len(self.directions), dtype=np.float64)
        self.set_seed(seed)
        self.image = None

    def _directions(self, directions, k, samples, direction_seed):
        d = self.latent_dim
        if isinstance(directions, str):
            if directions == "axes":
                return np.eye(d, dtype=np.float64)[:k]
            if directions == "random":
                gaussian = np.random.default_rng(direction_seed).standard_normal((d, k))
                return latent.orthonormal_rows(gaussian.T)
            if directions == "pca":
                found, self.explained_variance = latent.pca_directions(self.generator, k, samples, direction_seed,
                                                                       labels=self.label)
                return found
            raise ValueError(f"directions must be 'pca', 'random', 'axes' or an array, got {directions!r}.")
        directions = np.asarray(directions, dtype=np.float64)
        if directions.ndim != 2 or directions.shape[1] != d or len(directions) != k:
            raise ValueError(f"directions must have shape ({k}, {d}), got {directions.shape}.")
        return latent.orthonormal_rows(directions)

    # ------------------------------------------------------------------ state

    @property
    def latent(self):
        """The current latent vector z = z_0 + sum_i v_i u_i, float32 (latent_dim,)."""
        return (self.base + self.values @ self.directions).astype(np.float32)

    def set_seed(self, seed):
        """Start from the latent vector of ``seed`` (slider values are kept)."""
        self.seed = int(seed)
        self.base = latent.seed_latents([self.seed], self.latent_dim)[0].astype(np.float64)

    def set_direction(self, index, value):
        """Set slider ``index`` (0-based) to ``value`` (any finite number; the sliders span [-span, span])."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) \
                or not 0 <= index < len(self.directions):
            raise ValueError(f"index must be an integer in [0, {len(self.directions) - 1}], got {index!r}.")
        if not np.isfinite(value):
            raise ValueError(f"value must be finite, got {value!r}.")
        self.values[index] = float(value)

    def set_label(self, label):
        """Choose the class of a conditional generator."""
        if not self.conditional:
            raise ValueError("this generator is not conditional; it takes no label.")
        self.label = int(label)

    def reset(self):
        """Set every slider back to 0."""
        self.values[:] = 0.0

    # ------------------------------------------------------------------ pictures

    def _draw(self, latents):
        pictures = latent.render(self.generator, latents, labels=self.label, size=self.size)
        return viz.colorize(pictures, self.palette) if self.palette is not None else pictures

    def render(self):
        """The picture for the current latent vector: (H, W, C) in [-1, 1]; also kept in ``self.image``."""
        self.image = self._draw(self.latent[None])[0]
        return self.image

    def strip(self, index, values):
        """Pictures along direction ``index`` at the slider ``values`` (the others as they are): (n, H, W, C).

        The static stand-in for the sliders in the printed book.
        """
        saved = self.values[index]
        latents = []
        for value in values:
            self.set_direction(index, value)
            latents.append(self.latent)
        self.values[index] = saved
        return self._draw(np.stack(latents))

    def save(self, path, size=None):
        """Write the current picture to ``path`` (.png) with its latent vector beside it.

        Writes ``path`` (PNG, ``size`` pixels wide if given), ``path`` with suffix
        ``.npy`` (the latent vector z, float32) and ``.json`` (seed, label, slider
        values, directions, z) so the picture can be made again:
        ``latent.generate(generator, 1, latents=np.load(npy)[None])``.

        Returns:
            A dict with the three paths.
        """
        import json
        from pathlib import Path

        path = Path(path)
        if path.suffix.lower() != ".png":
            raise ValueError(f"save writes a .png (plus .npy and .json), got {str(path)!r}.")
        image = self.render()
        viz.export_png(image, path, size=size, resample="nearest" if not self.cppn else "lanczos")
        latent = self.latent
        np.save(path.with_suffix(".npy"), latent)
        record = dict(seed=self.seed, label=self.label, values=self.values.tolist(), method=self.method,
                      size=self.size, palette=self.palette if isinstance(self.palette, (str, type(None))) else None,
                      latent=latent.tolist())
        path.with_suffix(".json").write_text(json.dumps(record, indent=2))
        return dict(png=path, npy=path.with_suffix(".npy"), json=path.with_suffix(".json"))

    def png_bytes(self, display_size=256):
        """The current picture as PNG bytes, enlarged (nearest neighbour) to about ``display_size`` pixels."""
        import io

        image = self.render()
        scale = max(1, display_size // image.shape[1])
        buffer = io.BytesIO()
        viz.to_pil(image, scale=scale).save(buffer, format="PNG")
        return buffer.getvalue()

    def widget(self, save_dir="explorer", display_size=256):
        """An ipywidgets box: one slider per direction, a seed box, a label box (conditional), the live
        picture and a "save this one" button writing ``save_dir/seed_S_N.png`` (+ .npy, .json)."""
        from pathlib import Path

        import ipywidgets

        image = ipywidgets.Image(value=self.png_bytes(display_size), format="png")
        sliders = []
        for index in range(len(self.directions)):
            slider = ipywidgets.FloatSlider(value=float(self.values[index]), min=-self.span, max=self.span, step=0.1,
                                            description=f"direction {index + 1}", continuous_update=False)
            sliders.append(slider)
        seed_box = ipywidgets.BoundedIntText(value=self.seed, min=0, max=2 ** 31 - 1, description="seed")
        label_box = ipywidgets.BoundedIntText(value=self.label if self.conditional else 0, min=0, max=9,
                                              description="label", disabled=not self.conditional)
        save_button = ipywidgets.Button(description="save this one", icon="save")
        reset_button = ipywidgets.Button(description="reset sliders")
        status = ipywidgets.Label(value="")
        saved_count = [0]

        def redraw():
            image.value = self.png_bytes(display_size)

        def on_slider(change, index):
            self.set_direction(index, change["new"])
            redraw()

        for index, slider in enumerate(sliders):
            slider.observe(lambda change, index=index: on_slider(change, index), names="value")

        def on_seed(change):
            self.set_seed(change["new"])
            redraw()

        def on_label(change):
            self.set_label(change["new"])
            redraw()

        def on_save(button=None):
            saved_count[0] += 1
            paths = self.save(Path(save_dir) / f"seed_{self.seed}_{saved_count[0]}.png")
            status.value = f"saved {paths['png']} and its latent vector ({paths['npy'].name}, {paths['json'].name})"

        def on_reset(button=None):
            self.reset()
            for slider in sliders:
                slider.value = 0.0
            redraw()

        seed_box.observe(on_seed, names="value")
        if self.conditional:
            label_box.observe(on_label, names="value")
        save_button.on_click(on_save)
        reset_button.on_click(on_reset)
        controls = ipywidgets.VBox(sliders + [seed_box, label_box, ipywidgets.HBox([save_button, reset_button])])
        box = ipywidgets.VBox([ipywidgets.HBox([controls, image]), status])
        box.controls = dict(sliders=sliders, seed=seed_box, label=label_box, save=save_button, reset=reset_button,
                            image=image, status=status, on_save=on_save, on_reset=on_reset)
        return box
