"""Named training recipes and run directories: what ``ganlab train`` does, callable from Python.

    gan, history = ganlab.runs.train("dcgan", "mnist", out="runs/dcgan")

A recipe fixes the models, the loss, the optimizers and the default batch
size and length of training; the published defaults are written down where
they are set (see ``ganlab.training``).
"""

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import keras
import numpy as np

import ganlab
from ganlab import callbacks as gcallbacks
from ganlab import cppn, datasets, latent, models, training
from ganlab.rundir import RunDir, load_checkpoint

IMAGE_DATASETS = ("mnist",)
TOY_DATASETS = tuple(datasets.TOY_DISTRIBUTIONS)
TOY_POINTS = 100_000  # size of the fixed sample a toy run trains on
TOY_STEPS_PER_EPOCH = 500


@dataclass
class Recipe:
    """How to build and train one named model."""

    name: str
    kinds: tuple  # "image" and/or "toy"
    batch_size: int
    epochs: int  # image data: passes over the data; toy data: epochs of TOY_STEPS_PER_EPOCH steps
    description: str
    compile_kwargs: dict = field(default_factory=dict)
    conditional: bool = False
    ema_decay: float = None
    learning_rate: float = 2e-4  # Adam's, both networks, for the recipes built with the DCGAN optimizer


def _adam(learning_rate, beta_1, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2)


RECIPES = {
    "mlp": Recipe("mlp", ("image",), 64, 30, "the classic fully connected GAN, non-saturating loss, "
                  "Adam 2e-4 / beta1 0.5"),
    # The DCGAN recipes take ten times the paper's learning rate (2e-4): on a CPU budget of minutes it
    # reaches the same FID several times sooner (benchmarks/NOTES.md, "Learning rate").
    "dcgan": Recipe("dcgan", ("image",), 64, 20, "DCGAN (Radford et al.), Adam 2e-3 / beta1 0.5 (the paper: 2e-4)",
                    ema_decay=0.999, learning_rate=2e-3),
    "cdcgan": Recipe("cdcgan", ("image",), 64, 20, "conditional DCGAN: the label enters G and D; Adam 2e-3 / "
                     "beta1 0.5", conditional=True, ema_decay=0.999, learning_rate=2e-3),
    "cmlp": Recipe("cmlp", ("image",), 64, 30, "conditional MLP GAN", conditional=True),
    "wgan": Recipe("wgan", ("image", "toy"), 64, 20, "WGAN with weight clipping (Arjovsky et al.): "
                   "RMSProp 5e-5, c = 0.01, 5 critic steps"),
    "wgan-gp": Recipe("wgan-gp", ("image", "toy"), 64, 20, "WGAN-GP (Gulrajani et al.): lambda 10, 5 critic "
                      "steps, Adam 1e-4 / (0, 0.9)"),
    "gan": Recipe("gan", ("toy",), 256, 8, "vanilla GAN on 2D data, non-saturating loss, Adam beta1 0.5 with "
                  "G 1e-3 and D 1e-4: a discriminator that lags behind, the setting that collapses in chapter 3"),
    "mbstd": Recipe("mbstd", ("toy",), 256, 8, "the 'gan' recipe with a discriminator that sees the minibatch std"),
    # chapter 8 (art): a CPPN generator, renderable at any size, against a small DCGAN discriminator
    "cppn": Recipe("cppn", ("image",), 64, 8, "CPPN generator (draws at any size; Ha, 2016) against a "
                   "DCGAN discriminator with 32 filters, Adam 2e-4 / beta1 0.5", ema_decay=0.999),
}


# ---------------------------------------------------------------------- toy (2D) recipes: chapter 3
# Learning rates of the vanilla toy recipes "gan" and "mbstd" (ganlab.widgets.Playground uses the same).
TOY_GAN_LEARNING_RATES = dict(discriminator=1e-4, generator=1e-3)
# The toy recipes run this many training steps per call of Keras' compiled train function
# (``steps_per_execution``), which cuts Python's overhead on these small networks (about 20% of the
# CPU time, half of the wall-clock time on a shared machine). A ``fit`` of theirs must therefore train
# a multiple of it per epoch, as ``train`` does (whole epochs of TOY_STEPS_PER_EPOCH steps).
TOY_STEPS_PER_EXECUTION = 50
TOY_RECIPES_WITH_FAST_STEPS = ("gan", "mbstd", "wgan-gp")

# The toy branch of "wgan-gp", tuned on ring8 so that it covers all modes with sharp samples in a few
# thousand steps on a CPU (chapter 3 reports its five-seed table, benchmarks/mode_collapse_table.py
# reproduces it). It departs from the paper's settings (lambda 10, 5 critic steps, Adam 1e-4 / (0, 0.9)):
TOY_WGAN_GP = dict(
    generator_hidden=(256, 256, 256),  # a wide generator makes the jumps between modes sharp
    critic_hidden=(64, 64, 64),  # a small critic keeps the critic steps cheap
    critic_steps=3,
    gradient_penalty_weight=1.0,  # a softer penalty than 10 lets the critic's slopes near the modes grow
    learning_rate=1e-3,
    beta_1=0.5,
    beta_2=0.9,
    hold_steps=2000,  # generator steps at the full learning rate, then a linear decay ...
    decay_steps=2000,  # ... over these many steps to 1% of it
    batch_size=256,
    epochs=8,  # 8 epochs of TOY_STEPS_PER_EPOCH = 4,000 generator steps
    ema_decay=0.999,  # sample from the moving average of G's weights
)
# Fields of a recipe that its toy branch overrides (the image recipe keeps its own).
TOY_RECIPE_OVERRIDES = {
    "wgan-gp": dict(batch_size=TOY_WGAN_GP["batch_size"], epochs=TOY_WGAN_GP["epochs"],
                    ema_decay=TOY_WGAN_GP["ema_decay"],
                    description="WGAN-GP tuned for 2D data (see runs.TOY_WGAN_GP): G 3 x 256, critic 3 x 64, "
                                "lambda 1, 3 critic steps, Adam 1e-3 / (0.5, 0.9) held 2,000 steps then decayed "
                                "linearly over 2,000, EMA 0.999"),
}


class HoldThenDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A learning rate held for ``hold_steps`` optimizer steps, then decayed linearly to
    ``final_fraction`` of it over ``decay_steps`` steps, and kept there."""

    def __init__(self, learning_rate, hold_steps, decay_steps, final_fraction=0.01):
        self.learning_rate = float(learning_rate)
        self.hold_steps = int(hold_steps)
        self.decay_steps = int(decay_steps)
        self.final_fraction = float(final_fraction)

    def __call__(self, step):
        progress = keras.ops.clip((keras.ops.cast(step, "float32") - self.hold_steps) / self.decay_steps, 0.0, 1.0)
        return self.learning_rate * (1.0 - (1.0 - self.final_fraction) * progress)

    def get_config(self):
        return dict(learning_rate=self.learning_rate, hold_steps=self.hold_steps, decay_steps=self.decay_steps,
                    final_fraction=self.final_fraction)


def _toy_wgan_gp():
    """Models, compile arguments and optimizers of the toy "wgan-gp" recipe (see :data:`TOY_WGAN_GP`)."""
    settings = TOY_WGAN_GP
    generator = models.toy_generator(hidden=settings["generator_hidden"])
    critic = models.toy_discriminator(hidden=settings["critic_hidden"])
    compile_kwargs = dict(loss="wasserstein", discriminator_steps=settings["critic_steps"],
                          gradient_penalty_weight=settings["gradient_penalty_weight"])

    def adam(updates_per_step):  # the critic's optimizer counts critic_steps updates per generator step
        schedule = HoldThenDecay(settings["learning_rate"], settings["hold_steps"] * updates_per_step,
                                 settings["decay_steps"] * updates_per_step)
        return keras.optimizers.Adam(learning_rate=schedule, beta_1=settings["beta_1"], beta_2=settings["beta_2"])

    return generator, critic, compile_kwargs, adam(settings["critic_steps"]), adam(1)


def _kind(dataset):
    if dataset in IMAGE_DATASETS:
        return "image"
    if dataset in TOY_DATASETS:
        return "toy"
    raise ValueError(f"unknown dataset {dataset!r}; choose one of {sorted(IMAGE_DATASETS + TOY_DATASETS)}.")


def get_recipe(model, dataset):
    """Return the :class:`Recipe` for ``model`` on ``dataset``, or raise ValueError."""
    if model not in RECIPES:
        raise ValueError(f"unknown model {model!r}; choose one of {sorted(RECIPES)}.")
    recipe = RECIPES[model]
    kind = _kind(dataset)
    if kind not in recipe.kinds:
        usable = sorted(name for name, r in RECIPES.items() if kind in r.kinds)
        raise ValueError(f"model {model!r} does not train on {dataset!r}; for it choose one of {usable}.")
    if kind == "toy" and model in TOY_RECIPE_OVERRIDES:
        recipe = replace(recipe, **TOY_RECIPE_OVERRIDES[model])
    return recipe


def _recipe_settings(recipe):
    """The fields of a recipe that change what training does (kept in a run's config.json)."""
    return dict(learning_rate=recipe.learning_rate, ema_decay=recipe.ema_decay, conditional=recipe.conditional,
                compile_kwargs=recipe.compile_kwargs)


def build_gan(model="dcgan", dataset="mnist", seed=0):
    """Build and compile the GAN of a recipe (see :data:`RECIPES`)."""
    recipe = get_recipe(model, dataset)
    keras.utils.set_random_seed(seed)
    toy = _kind(dataset) == "toy"
    num_classes = 10 if recipe.conditional else None
    optimizer = lambda: _adam(recipe.learning_rate, 0.5)  # noqa: E731  (DCGAN's Adam, the default)
    d_optimizer = g_optimizer = None  # set where D and G need different optimizers
    compile_kwargs = dict(loss="non_saturating")
    if model in ("mlp", "cmlp"):
        generator, discriminator = models.mlp_generator(num_classes=num_classes), \
            models.mlp_discriminator(num_classes=num_classes)
    elif model in ("dcgan", "cdcgan"):
        generator, discriminator = models.dcgan_generator(num_classes=num_classes), \
            models.dcgan_discriminator(num_classes=num_classes)
    elif model in ("wgan", "wgan-gp"):
        compile_kwargs, optimizer = training.wgan_gp_config() if model == "wgan-gp" else training.wgan_config()
        if toy and model == "wgan-gp":  # chapter 3's tuned toy recipe
            generator, discriminator, compile_kwargs, d_optimizer, g_optimizer = _toy_wgan_gp()
        elif toy:
            generator, discriminator = models.toy_generator(), models.toy_discriminator()
        else:
            generator = models.dcgan_generator()
            discriminator = models.wgan_critic(normalization="layer" if model == "wgan-gp" else None)
    elif model == "cppn":  # chapter 8 (art)
        generator, discriminator = cppn.cppn_generator(), models.dcgan_discriminator(filters=32)
    else:  # toy vanilla GANs
        d_optimizer = _adam(TOY_GAN_LEARNING_RATES["discriminator"], 0.5)
        g_optimizer = _adam(TOY_GAN_LEARNING_RATES["generator"], 0.5)
        generator = models.toy_generator()
        discriminator = models.toy_discriminator(minibatch_std=model == "mbstd")
    if toy and model in TOY_RECIPES_WITH_FAST_STEPS:
        compile_kwargs = dict(compile_kwargs, steps_per_execution=TOY_STEPS_PER_EXECUTION)
    gan = training.GAN(generator, discriminator, seed=seed, ema_decay=recipe.ema_decay)
    gan.compile(d_optimizer=d_optimizer or optimizer(), g_optimizer=g_optimizer or optimizer(), **compile_kwargs)
    return gan


def load_training_data(dataset, seed=0, limit=None):
    """Return the arrays a run on ``dataset`` trains on: (images, labels) or (points,)."""
    if _kind(dataset) == "image":
        return ganlab.load_mnist("train", limit=limit)
    return (datasets.toy_distribution(dataset).sample(limit or TOY_POINTS, seed=seed),)


def _check_count(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def train(model="dcgan", dataset="mnist", out="runs/dcgan", epochs=None, steps=None, batch_size=None,
          seed=0, resume=False, verbose=1, limit=None, callbacks=(), timer=False):
    """Train a recipe into a run directory; return ``(gan, history)``.

    Writes ``config.json``, ``checkpoint.npz`` and ``generator.keras`` (after every
    epoch, atomically), ``history.csv``, ``samples/epoch_NNN.png`` and ``training.gif``.

    Args:
        model, dataset: names from :data:`RECIPES` and ``mnist`` / ``ring8`` / ``grid25``.
        out: the run directory. One that already holds a run is refused unless ``resume``.
        epochs: passes over the data (toy data: epochs of 500 steps); default from the recipe.
        steps: train for this many generator steps instead (rounded up to whole epochs).
        batch_size: default from the recipe.
        seed: seeds the weights, the noise and the data order.
        resume: continue the run in ``out`` from its last completed epoch.
        limit: use only the first ``limit`` training examples.
        callbacks: more Keras callbacks (run after the sample grid, before the checkpoint).
        timer: log each epoch's training time as ``"seconds"`` (see ``callbacks.EpochTimer``).

    Raises:
        ValueError: for unknown names, bad sizes, a refused or mismatched run directory.
        ganlab.callbacks.TrainingDiverged: if a loss became NaN (the last good checkpoint is kept).
    """
    recipe = get_recipe(model, dataset)
    for name, value in (("epochs", epochs), ("steps", steps), ("batch_size", batch_size), ("limit", limit)):
        _check_count(name, value)
    if epochs is not None and steps is not None:
        raise ValueError("give either epochs or steps, not both.")
    out = Path(out)
    run_dir = RunDir(out)
    config = dict(model=model, dataset=dataset, seed=seed, limit=limit,
                  batch_size=batch_size or recipe.batch_size, ganlab_version=ganlab.__version__,
                  recipe=_recipe_settings(recipe))

    if resume:
        if not run_dir.holds_run():
            raise ValueError(f"nothing to resume in {out}: it has no config.json.")
        saved = run_dir.read_config()
        for key in ("model", "dataset", "seed", "limit"):
            if saved.get(key) != config[key]:
                raise ValueError(f"{out} holds a run with {key}={saved.get(key)!r}, not {config[key]!r}; "
                                 "resume with the same settings or start a new directory.")
        if saved.get("recipe") != config["recipe"]:
            if "recipe" in saved:
                changed = sorted(k for k in config["recipe"] if saved["recipe"].get(k) != config["recipe"][k])
                why = f"another version of the {model!r} recipe (it differs in {', '.join(changed)})"
            else:
                why = "an earlier ganlab that did not record its recipe's settings"
            raise ValueError(f"{out} was trained with {why}; it cannot be resumed with this one. Start a new "
                             "directory, or delete this one to retrain it.")
        config["batch_size"] = batch_size or saved["batch_size"]
    elif out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} already holds files; pass resume=True (--resume) to continue that run, "
                         "or choose a new directory. Nothing was overwritten.")

    arrays = load_training_data(dataset, seed=seed, limit=limit)
    gan = build_gan(model, dataset, seed=seed)
    data = datasets.make_dataset(*(arrays if recipe.conditional else arrays[:1]),
                                 batch_size=config["batch_size"], seed=seed)
    toy = _kind(dataset) == "toy"
    steps_per_epoch = TOY_STEPS_PER_EPOCH if toy else math.ceil(len(arrays[0]) / config["batch_size"])
    if toy:
        data = data.repeat()
    if steps is not None:
        epochs = math.ceil(steps / steps_per_epoch)
    epochs = epochs or (saved.get("epochs") if resume else None) or recipe.epochs
    config["epochs"] = epochs
    config["steps_per_epoch"] = steps_per_epoch

    initial_epoch, history = 0, {}
    if resume and run_dir.checkpoint_path.is_file():
        initial_epoch, history = load_checkpoint(gan, run_dir.checkpoint_path)
    run_dir.write_config(config)
    if initial_epoch >= epochs:
        return gan, history

    points = {}
    if toy:
        points = dict(real=arrays[0][:2000], centres=datasets.toy_distribution(dataset).centres)
    run_callbacks = gcallbacks.run_callbacks(out, history=history, extra=callbacks, timer=timer, **points)
    gan.fit(data, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch if toy else None,
            callbacks=run_callbacks, verbose=verbose)
    guard = run_callbacks[0]
    if guard.message:
        raise gcallbacks.TrainingDiverged(guard.message)
    return gan, run_callbacks[-1].history


def sample(run_dir, n, seed=0, labels=None):
    """Draw ``n`` samples from a run's ``generator.keras``: float32 in [-1, 1], same seed same samples."""
    _check_count("n", n)
    RunDir(run_dir).read_config()  # refuses a directory that holds no run
    generator = models.load_generator(Path(run_dir) / "generator.keras")
    samples = latent.generate(generator, n, seed=seed, labels=labels)
    return samples.astype(np.float32)


def recipe_table():
    """The recipes as a list of dicts (for the CLI's help and the book)."""
    return [asdict(r) for r in RECIPES.values()]


# ---------------------------------------------------------------------- book runs (chapters 4-7): train once, reuse
# Chapters 4, 5 and 6 each train a model into a run directory; chapter 7 (and a reader who runs
# a chapter twice) calls the same function with the same arguments and gets the finished run back.


def train_or_load(model="dcgan", dataset="mnist", out="runs/dcgan", callbacks=(), **kwargs):
    """Train a recipe into ``out`` the first time; later calls with the same settings load the run.

    If ``out`` holds no run (no ``config.json``), this is :func:`train`. If it holds one, the run
    is resumed: a finished run comes back at once with its saved weights and history, and an
    interrupted one (or one asked for more epochs than it has) trains on from its last checkpoint.
    A run made with another model, dataset, seed or limit is refused, as :func:`train` refuses it.

    Args:
        model, dataset, out: as for :func:`train`.
        callbacks: more Keras callbacks (an ``EpochTimer`` always runs before them).
        **kwargs: the other arguments of :func:`train` (``epochs``, ``seed``, ``limit``, ...),
            except ``resume``, which is decided here.

    Returns:
        ``(gan, history)`` as from :func:`train`; ``history["seconds"]`` holds the training
        time of every epoch, so ``sum(history["seconds"])`` is the run's training time.

    Raises:
        ValueError: as :func:`train`, e.g. when ``out`` holds a run with other settings.
        TypeError: if ``resume`` is passed.
    """
    if "resume" in kwargs:
        raise TypeError("train_or_load decides resume itself; call runs.train to choose it.")
    return train(model, dataset, out, resume=RunDir(out).holds_run(), callbacks=callbacks, timer=True, **kwargs)
