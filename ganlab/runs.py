"""Training runs: what ``ganlab train`` does, callable from Python.

    gan, history = ganlab.runs.train("dcgan", "mnist", out="runs/dcgan")

A run trains a named recipe of ``ganlab.recipes`` into a run directory
(``ganlab.rundir``); :func:`train_or_load` trains once and gives the finished
run back on later calls with the same settings. Everything that changes what
training does is recorded in the run's ``config.json``, and a run is never
resumed or reused with other settings: the error names what changed.
"""

import json
import math

import numpy as np

import ganlab
from ganlab import callbacks as gcallbacks
from ganlab import _checks, datasets, latent, recipes, texture
from ganlab._checks import positive_int
from ganlab.rundir import RunDir, installed_versions, load_checkpoint

TOY_POINTS = 100_000  # size of the fixed sample a toy run trains on


def load_training_data(dataset, seed=0, limit=None):
    """Return the arrays a run on ``dataset`` trains on: (images, labels) or (points,).

    Image sources (paintings, folders, files) have no fixed arrays: a run on them streams random
    crops (see :func:`training_batches`).
    """
    kind = recipes.get_dataset_spec(dataset).kind
    if kind == "mnist":
        return ganlab.load_mnist("train", limit=limit)
    if kind == "toy":
        return (datasets.toy_distribution(dataset).sample(limit or TOY_POINTS, seed=seed),)
    raise ValueError(f"{dataset!r} is an image source: its crops are streamed, not loaded (see training_batches).")


def training_batches(dataset, batch_size, conditional, seed=0, limit=None, size=None, scale=None, arrays=None):
    """The batches a run on ``dataset`` trains on, and the steps of one epoch: ``(tf.data.Dataset, steps)``.

    MNIST is passed over once per epoch (``ceil(N / batch_size)`` steps), shuffled; 2D points and the
    random crops of an image source are drawn without end, ``recipes.TOY_STEPS_PER_EPOCH`` or
    ``recipes.IMAGE_STEPS_PER_EPOCH`` steps making an epoch. Labels come along for a conditional recipe.
    ``scale`` is the crop scale of an image source (None: ``datasets.DEFAULT_SCALE``); ``arrays`` are
    the arrays of :func:`load_training_data` when the caller has them already (None: loaded here).
    """
    data = recipes.get_dataset_spec(dataset, size)
    if data.kind == recipes.IMAGES:
        if limit is not None:
            raise ValueError("limit applies to mnist and 2D data; an image source is sampled as random crops.")
        batches = datasets.image_crops(dataset, data.shape[0], batch_size=batch_size, labels=conditional, seed=seed,
                                       scale=datasets.DEFAULT_SCALE if scale is None else scale)
        return batches, recipes.IMAGE_STEPS_PER_EPOCH
    if arrays is None:
        arrays = load_training_data(dataset, seed=seed, limit=limit)
    batches = datasets.make_dataset(*(arrays if conditional else arrays[:1]), batch_size=batch_size, seed=seed)
    if data.kind == "toy":
        return batches.repeat(), recipes.TOY_STEPS_PER_EPOCH
    return batches, math.ceil(len(arrays[0]) / batch_size)


def train(model="dcgan", dataset="mnist", out="runs/dcgan", epochs=None, steps=None, batch_size=None,
          seed=0, resume=False, verbose=1, limit=None, callbacks=(), timer=False, size=None, options=None,
          time_limit=None):
    """Train a recipe into a run directory; return ``(gan, history)``.

    Writes ``config.json``, ``checkpoint.npz`` and ``generator.keras`` (after every
    epoch, atomically), ``history.csv``, ``samples/epoch_NNN.png`` and ``training.gif``.

    Args:
        model, dataset: a name from ``recipes.RECIPES``; ``mnist``, ``ring8``, ``grid25`` or an image source
            (``paintings``, a painting's key, a folder or an image file; see ``recipes.get_dataset_spec``).
        out: the run directory. One that already holds a run is refused unless ``resume``.
        epochs: passes over the data (toy data: epochs of ``recipes.TOY_STEPS_PER_EPOCH`` steps); default from
            the recipe.
        steps: train for this many generator steps instead (rounded up to whole epochs).
        batch_size: default from the recipe.
        seed: seeds the weights, the noise and the data order.
        resume: continue the run in ``out`` from its last completed epoch.
        limit: use only the first ``limit`` training examples.
        callbacks: more Keras callbacks (run after the sample grid, before the checkpoint).
        timer: log each epoch's training time as ``"seconds"`` (see ``callbacks.EpochTimer``).
        size: the side of the square crops of an image source (default ``recipes.DEFAULT_IMAGE_SIZE``).
        options: settings of the recipe to change for this run (names in ``Recipe.options``; recorded).
        time_limit: stop after this many seconds of training (see ``callbacks.TimeLimit``), for comparisons
            at equal training time. When it stops the run, the run's recorded length becomes the epochs it
            reached, so a later ``train_or_load`` with the same arguments returns it as finished.

    Raises:
        ValueError: for unknown names, bad sizes, a refused run directory, or one whose recorded settings
            differ from this recipe's (the message names each setting that changed).
        ganlab.callbacks.TrainingDiverged: if a loss became NaN (the last good checkpoint is kept).
    """
    recipe = recipes.get_recipe(model, dataset, size)
    for name, value in (("epochs", epochs), ("steps", steps), ("batch_size", batch_size), ("limit", limit)):
        positive_int(name, value, allow_none=True)
    if epochs is not None and steps is not None:
        raise ValueError("give either epochs or steps, not both.")
    run_dir = RunDir(out)
    with run_dir.owned():
        return _train(run_dir, recipe, model, dataset, epochs, steps, batch_size, seed, resume, verbose, limit,
                      callbacks, timer, size, options, time_limit)


# Recipe settings a run can be resumed across: defaults that the run overrides with its own (the epochs asked
# for, config.json's batch_size). A recipe that now trains 30 epochs by default resumes a run made at 20.
RESUMABLE_RECIPE_CHANGES = ("epochs", "batch_size")


def _train(run_dir, recipe, model, dataset, epochs, steps, batch_size, seed, resume, verbose, limit, callbacks,
           timer, size, options, time_limit):
    """The body of :func:`train`, run while this process owns ``run_dir``."""
    data_spec = recipes.get_dataset_spec(dataset, size)
    out = run_dir.path
    options = recipes.check_options(recipe, options)
    gan = recipes.build_gan(model, dataset, seed=seed, size=size, options=options)
    config = dict(model=model, dataset=dataset, seed=seed, limit=limit, shape=list(data_spec.shape),
                  options=json.loads(json.dumps(options)),  # tuples become lists, as they come back from config.json
                  time_limit=time_limit,
                  batch_size=batch_size or recipe.batch_size, ganlab_version=ganlab.__version__,
                  versions=installed_versions(),
                  recipe=recipes.recipe_settings(gan, recipe))

    if resume:
        if not run_dir.holds_run():
            raise ValueError(f"nothing to resume in {out}: it has no config.json.")
        if run_dir.generator_path.is_file() and not run_dir.checkpoint_path.is_file():
            raise ValueError(f"{out} holds a trained generator.keras but no checkpoint.npz, so training cannot go on "
                             "from where it stopped, and starting again would overwrite the trained generator. "
                             "Copy the run elsewhere first, or delete generator.keras to train it again.")
        saved = run_dir.read_config()
        for key in ("model", "dataset", "seed", "limit", "shape", "options", "time_limit"):
            if saved.get(key) != config[key]:
                raise ValueError(f"{out} holds a run with {key}={saved.get(key)!r}, not {config[key]!r}; "
                                 "resume with the same settings or start a new directory.")
        changed = None
        if "recipe" in saved:  # the recipe's default length and batch size do not change a step: the run's own count
            changed = recipes.settings_differences(*({key: value for key, value in settings.items()
                                                      if key not in RESUMABLE_RECIPE_CHANGES}
                                                     for settings in (saved["recipe"], config["recipe"])))
        if changed != []:
            if changed:
                why = f"another version of the {model!r} recipe (it differs in {'; '.join(changed)})"
            else:
                why = "an earlier ganlab that did not record its recipe's settings"
            raise ValueError(f"{out} was trained with {why}; it cannot be resumed with this one. Start a new "
                             "directory, or delete this one to retrain it.")
        config["batch_size"] = batch_size or saved["batch_size"]
    elif any(entry.name != RunDir.LOCK for entry in out.iterdir()) and not run_dir.unfinished_start():
        raise ValueError(f"{out} already holds files; pass resume=True (--resume) to continue that run, "
                         "or choose a new directory. Nothing was overwritten.")

    toy = data_spec.kind == "toy"
    arrays = load_training_data(dataset, seed=seed, limit=limit) if toy else None  # drawn once: batches and plots
    data, steps_per_epoch = training_batches(dataset, config["batch_size"], recipe.conditional, seed=seed,
                                             limit=limit, size=size, scale=recipe.crop_scale, arrays=arrays)
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
        points = dict(real=arrays[0][:2000],
                      centres=datasets.toy_distribution(dataset).centres)
    limit_callback = [gcallbacks.TimeLimit(time_limit)] if time_limit is not None else []
    run_callbacks = gcallbacks.run_callbacks(out, history=history, extra=[*limit_callback, *callbacks], timer=timer,
                                             **points)
    gan.fit(data, epochs=epochs, initial_epoch=initial_epoch,
            steps_per_epoch=None if data_spec.kind == "mnist" else steps_per_epoch,
            callbacks=run_callbacks, verbose=verbose)
    guard = run_callbacks[0]
    if guard.message:
        raise gcallbacks.TrainingDiverged(guard.message)
    if limit_callback and limit_callback[0].stopped_epoch:
        config["epochs"] = limit_callback[0].stopped_epoch  # the run is finished where the time limit stopped it
        run_dir.write_config(config)
    return gan, run_callbacks[-1].history


def sample(run_dir, n, seed=0, labels=None):
    """Draw ``n`` samples from a run's ``generator.keras``: float32 in [-1, 1], same seed same samples."""
    positive_int("n", n)
    shape = RunDir(run_dir).read_config().get("shape") or [2]  # refuses a directory that holds no run
    # the samples, and the generator's batches of them as they come
    _checks.fits_in_memory(2 * n * math.prod(shape) * 4, f"{n} samples of shape {tuple(shape)}",
                           "draw fewer (a smaller n, --n), in several files")
    generator = RunDir(run_dir).load_generator()
    if texture.is_texture(generator):
        if labels is not None:
            raise ValueError("a label was given, but this generator is not conditional: it takes no labels.")
        return texture.texture_samples(generator, n, seed=seed).astype(np.float32)
    samples = latent.generate(generator, n, seed=seed, labels=labels)
    return samples.astype(np.float32)


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
