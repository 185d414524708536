"""Named training recipes and run directories: what ``ganlab train`` does, callable from Python.

    gan, history = ganlab.runs.train("dcgan", "mnist", out="runs/dcgan")

A recipe fixes the models, the loss, the optimizers and the default batch
size and length of training; the published defaults are written down where
they are set (see ``ganlab.training``).
"""

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

import ganlab
from ganlab import callbacks as gcallbacks
from ganlab import datasets, models, training

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


def _adam(learning_rate, beta_1, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2)


RECIPES = {
    "mlp": Recipe("mlp", ("image",), 64, 30, "the classic fully connected GAN, non-saturating loss, "
                  "Adam 2e-4 / beta1 0.5"),
    "dcgan": Recipe("dcgan", ("image",), 64, 20, "DCGAN (Radford et al.), Adam 2e-4 / beta1 0.5", ema_decay=0.999),
    "cdcgan": Recipe("cdcgan", ("image",), 64, 20, "conditional DCGAN: the label enters G and D",
                     conditional=True, ema_decay=0.999),
    "cmlp": Recipe("cmlp", ("image",), 64, 30, "conditional MLP GAN", conditional=True),
    "wgan": Recipe("wgan", ("image", "toy"), 64, 20, "WGAN with weight clipping (Arjovsky et al.): "
                   "RMSProp 5e-5, c = 0.01, 5 critic steps"),
    "wgan-gp": Recipe("wgan-gp", ("image", "toy"), 64, 20, "WGAN-GP (Gulrajani et al.): lambda 10, 5 critic "
                      "steps, Adam 1e-4 / (0, 0.9)"),
    "gan": Recipe("gan", ("toy",), 256, 20, "vanilla GAN on 2D data, non-saturating loss, Adam 1e-3 / beta1 0.5"),
    "mbstd": Recipe("mbstd", ("toy",), 256, 20, "vanilla GAN whose discriminator sees the minibatch std"),
}


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
    return recipe


def build_gan(model="dcgan", dataset="mnist", seed=0):
    """Build and compile the GAN of a recipe (see :data:`RECIPES`)."""
    recipe = get_recipe(model, dataset)
    keras.utils.set_random_seed(seed)
    toy = _kind(dataset) == "toy"
    num_classes = 10 if recipe.conditional else None
    optimizer = lambda: _adam(2e-4, 0.5)  # noqa: E731  (DCGAN's Adam, the default)
    compile_kwargs = dict(loss="non_saturating")
    if model in ("mlp", "cmlp"):
        generator, discriminator = models.mlp_generator(num_classes=num_classes), \
            models.mlp_discriminator(num_classes=num_classes)
    elif model in ("dcgan", "cdcgan"):
        generator, discriminator = models.dcgan_generator(num_classes=num_classes), \
            models.dcgan_discriminator(num_classes=num_classes)
    elif model in ("wgan", "wgan-gp"):
        compile_kwargs, optimizer = training.wgan_gp_config() if model == "wgan-gp" else training.wgan_config()
        if toy:
            generator, discriminator = models.toy_generator(), models.toy_discriminator()
        else:
            generator = models.dcgan_generator()
            discriminator = models.wgan_critic(normalization="layer" if model == "wgan-gp" else None)
    else:  # toy vanilla GANs
        optimizer = lambda: _adam(1e-3, 0.5)  # noqa: E731
        generator = models.toy_generator()
        discriminator = models.toy_discriminator(minibatch_std=model == "mbstd")
    gan = training.GAN(generator, discriminator, seed=seed, ema_decay=recipe.ema_decay)
    gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), **compile_kwargs)
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
          seed=0, resume=False, verbose=1, limit=None, callbacks=()):
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
        callbacks: more Keras callbacks.

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
    config_path, checkpoint_path = out / "config.json", out / "checkpoint.npz"
    config = dict(model=model, dataset=dataset, seed=seed, limit=limit,
                  batch_size=batch_size or recipe.batch_size, ganlab_version=ganlab.__version__)

    if resume:
        if not config_path.is_file():
            raise ValueError(f"nothing to resume in {out}: it has no config.json.")
        saved = json.loads(config_path.read_text())
        for key in ("model", "dataset", "seed", "limit"):
            if saved.get(key) != config[key]:
                raise ValueError(f"{out} holds a run with {key}={saved.get(key)!r}, not {config[key]!r}; "
                                 "resume with the same settings or start a new directory.")
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
    if resume and checkpoint_path.is_file():
        initial_epoch, history = gcallbacks.load_checkpoint(gan, checkpoint_path)
    out.mkdir(parents=True, exist_ok=True)
    gcallbacks._atomic_write_bytes(config_path, json.dumps(config, indent=2).encode())
    if initial_epoch >= epochs:
        return gan, history

    guard = gcallbacks.NaNGuard()
    toy_extra = {}
    if toy:
        distribution = datasets.toy_distribution(dataset)
        toy_extra = dict(real=arrays[0][:2000], centres=distribution.centres, n=1000)
    run_callbacks = [guard, gcallbacks.SampleGrid(out, **toy_extra), *callbacks,
                     gcallbacks.RunCheckpoint(out, history=history, guard=guard)]
    gan.fit(data, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch if toy else None,
            callbacks=run_callbacks, verbose=verbose)
    if guard.message:
        raise gcallbacks.TrainingDiverged(guard.message)
    return gan, run_callbacks[-1].history


def load_run_config(run_dir):
    """Read ``RUN_DIR/config.json``; raise ValueError if the directory holds no run."""
    path = Path(run_dir) / "config.json"
    if not Path(run_dir).is_dir():
        raise ValueError(f"run directory {run_dir} does not exist.")
    if not path.is_file():
        raise ValueError(f"{run_dir} holds no run (no config.json); train one with `ganlab train ... --out {run_dir}`.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is corrupt ({error}).") from None


def sample(run_dir, n, seed=0, labels=None):
    """Draw ``n`` samples from a run's ``generator.keras``: float32 in [-1, 1], same seed same samples."""
    _check_count("n", n)
    config = load_run_config(run_dir)
    generator = models.load_generator(Path(run_dir) / "generator.keras")
    samples = training.generate(generator, n, seed=seed, labels=labels,
                                num_classes=10 if get_recipe(config["model"], config["dataset"]).conditional
                                else None)
    return samples.astype(np.float32)


def recipe_table():
    """The recipes as a list of dicts (for the CLI's help and the book)."""
    return [asdict(r) for r in RECIPES.values()]
