"""Named recipes: one registry of what ``ganlab train --model NAME`` builds, and the data it trains on.

A recipe is one small builder function registered once with :func:`register_recipe`::

    @register_recipe("dcgan", "DCGAN (Radford et al.) ...", datasets=("mnist",), batch_size=64, epochs=20)
    def dcgan(data):
        ...
        return Parts(generator, discriminator, d_optimizer, g_optimizer, compile_kwargs)

The builder receives a :class:`DataSpec` (the data's kind, the shape of one
example, its number of classes) rather than assuming 28 x 28 x 1 and ten
classes, and returns the networks, both optimizers and the arguments of
``GAN.compile``. Tunings (the toy settings of chapter 3) live in their recipe.
:func:`build_gan` builds and compiles a recipe's ``GAN``; :func:`recipe_settings`
reads back from it everything that changes what training does, which
``ganlab.runs`` records in a run's ``config.json`` and compares on resume.

The command line (``--model`` choices, ``ganlab recipes``), the book and the
tests read :data:`RECIPES` and :data:`DATASETS`; nothing else lists names.

To add data (colour images, say), register a :class:`DataSpec` with
:func:`register_dataset` (kind ``"images"``) and teach ``ganlab.runs.load_training_data``
to load it. To add a recipe, write a builder below and decorate it. Keras is
imported inside the builders, so that importing this module (``ganlab --help``)
does not start TensorFlow.
"""

import json
from dataclasses import dataclass, field, replace

from ganlab._checks import register_once
from ganlab.datasets import MNIST_CLASSES, MNIST_IMAGE_SHAPE, TOY_DISTRIBUTIONS

# ---------------------------------------------------------------------- the data a recipe trains on


@dataclass(frozen=True)
class DataSpec:
    """What a builder needs to know about its data.

    Attributes:
        name: the dataset's name (``"mnist"``, ``"ring8"``, ...).
        kind: ``"mnist"``, ``"toy"`` (2D points) or, later, ``"images"`` (colour images of any size).
        shape: the shape of one example: (28, 28, 1) for MNIST, (2,) for 2D points.
        num_classes: classes of the labels a conditional model takes; None for unlabelled data.
    """

    name: str
    kind: str
    shape: tuple
    num_classes: int = None


DATASETS = {}


def register_dataset(spec):
    """Add a :class:`DataSpec` to :data:`DATASETS` and return it."""
    return register_once(DATASETS, spec.name, spec, "a dataset")


register_dataset(DataSpec("mnist", "mnist", MNIST_IMAGE_SHAPE, MNIST_CLASSES))
for _name in TOY_DISTRIBUTIONS:
    register_dataset(DataSpec(_name, "toy", (2,)))


IMAGES = "images"  # in a recipe's ``datasets``: it trains on any image source (see :func:`get_dataset_spec`)
DEFAULT_IMAGE_SIZE = 64  # the side of the square crops an image recipe trains on, unless ``size`` is given
IMAGE_SOURCES_HELP = "'paintings' (the eight shipped paintings), a painting's key, a folder of images or an image file"


def get_dataset_spec(name, size=None):
    """The :class:`DataSpec` of a dataset: a registered name, or an image source.

    An image source is ``"paintings"``, one painting's key (``"starry_night"``, see
    ``ganlab.datasets.paintings``), a folder of images or one image file; a run on it
    trains on random square crops of side ``size`` (default :data:`DEFAULT_IMAGE_SIZE`),
    in colour, and a conditional model's label is the index of the image a crop comes from.

    Raises:
        ValueError: naming the choices for an unknown name, the files for an unreadable
            source, or the sizes for a bad ``size`` (or a ``size`` given for data that has none).
    """
    if name in DATASETS:
        if size is not None:
            raise ValueError(f"size applies to image data ({IMAGE_SOURCES_HELP}), not to {name!r}.")
        return DATASETS[name]
    from ganlab.datasets import check_image_size, image_files

    try:
        files = image_files(name)
    except ValueError as error:
        raise ValueError(f"unknown dataset: {error} Or name one of {sorted(DATASETS)}.") from None
    size = check_image_size(DEFAULT_IMAGE_SIZE if size is None else size)
    return DataSpec(str(name), IMAGES, (size, size, 3), len(files))


# ---------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Recipe:
    """How to build and train one named model.

    Attributes:
        name, description: the name (``--model``) and one line for ``ganlab recipes``.
        datasets: the names of the datasets it trains on.
        builder: ``builder(data: DataSpec, **options) -> Parts``.
        batch_size: the default batch size.
        epochs: the default length: passes over image data, epochs of ``TOY_STEPS_PER_EPOCH`` steps on 2D data.
        conditional: the models take class labels (the data must have them).
        ema_decay: sample from a moving average of the generator's weights (see ``ganlab.GAN``), or None.
        by_kind: for a data kind, the fields above that differ there (``{"toy": dict(batch_size=256)}``).
        options: the names of the settings a caller may change for one run (``build_gan(..., options=...)``,
            for an ablation, say); the builder takes them as keyword arguments. Empty: none.
        crop_scale: image data: the side of the crops as a share (low, high) of each image's shorter side;
            None for ``ganlab.datasets.DEFAULT_SCALE``.
    """

    name: str
    description: str
    datasets: tuple
    builder: object = field(repr=False)
    batch_size: int = 64
    epochs: int = 20
    conditional: bool = False
    ema_decay: float = None
    by_kind: dict = field(default_factory=dict, repr=False)
    options: tuple = ()
    crop_scale: tuple = None


@dataclass
class Parts:
    """What a recipe's builder returns: the networks, their optimizers and ``GAN.compile``'s other arguments.

    ``gan_class`` is the ``GAN`` subclass to train them with (None: ``ganlab.GAN``; a texture GAN samples
    noise fields instead of latent vectors).
    """

    generator: object
    discriminator: object
    d_optimizer: object
    g_optimizer: object
    compile_kwargs: dict = field(default_factory=dict)
    gan_class: object = None


RECIPES = {}


def register_recipe(name, description, datasets, batch_size=64, epochs=20, conditional=False, ema_decay=None,
                    by_kind=None, crop_scale=None, options=()):
    """Register the decorated builder as the recipe ``name`` (see :class:`Recipe` for the arguments)."""

    def decorate(builder):
        unknown = [dataset for dataset in datasets if dataset not in DATASETS and dataset != IMAGES]
        if unknown:
            raise ValueError(f"recipe {name!r} names unknown datasets {unknown}; register them first.")
        register_once(RECIPES, name, Recipe(name, description, tuple(datasets), builder, batch_size, epochs,
                                            conditional, ema_decay, dict(by_kind or {}), tuple(options),
                                            crop_scale),
                      "a recipe")
        return builder

    return decorate


def _trains_on(recipe, data):
    return data.name in recipe.datasets or (data.kind == IMAGES and IMAGES in recipe.datasets)


def get_recipe(model, dataset, size=None):
    """Return the :class:`Recipe` ``model`` as it trains on ``dataset`` (with that data kind's settings).

    Raises:
        ValueError: for an unknown model or dataset, or a dataset the recipe does not train on.
    """
    if model not in RECIPES:
        raise ValueError(f"unknown model {model!r}; choose one of {sorted(RECIPES)}.")
    recipe = RECIPES[model]
    data = get_dataset_spec(dataset, size)
    if not _trains_on(recipe, data):
        usable = sorted(name for name, r in RECIPES.items() if _trains_on(r, data))
        raise ValueError(f"model {model!r} does not train on {dataset!r}; for it choose one of {usable}.")
    return replace(recipe, **recipe.by_kind.get(data.kind, {}))


def recipe_table():
    """The recipes as a list of dicts (name, description, datasets, batch_size, epochs, conditional, ema_decay)."""
    return [dict(name=r.name, description=r.description, datasets=list(r.datasets), batch_size=r.batch_size,
                 epochs=r.epochs, conditional=r.conditional, ema_decay=r.ema_decay) for r in RECIPES.values()]


def check_options(recipe, options):
    """Return ``options`` as a dict if ``recipe`` takes every one of them, else raise ValueError naming the choices."""
    options = dict(options or {})
    unknown = sorted(set(options) - set(recipe.options))
    if unknown:
        takes = f"it takes {', '.join(recipe.options)}" if recipe.options else "it takes none"
        raise ValueError(f"recipe {recipe.name!r} has no option {', '.join(unknown)} here; {takes}.")
    return options


def build_gan(model="dcgan", dataset="mnist", seed=0, size=None, options=None):
    """Build and compile the ``GAN`` of a recipe on a dataset; ``seed`` seeds the weights and the noise.

    ``size`` is the side of the crops for image data (see :func:`get_dataset_spec`); ``options``
    changes settings the recipe lists in ``Recipe.options`` (``dict(spectral_norm=True)``); where
    a recipe lists ``ema_decay``, that option replaces ``Recipe.ema_decay`` (None: no moving average).
    """
    import keras

    from ganlab.training import GAN

    recipe = get_recipe(model, dataset, size)
    options = check_options(recipe, options)
    ema_decay = options.pop("ema_decay", recipe.ema_decay)  # an option of GAN itself, where a recipe lists it
    keras.utils.set_random_seed(seed)
    parts = recipe.builder(get_dataset_spec(dataset, size), **options)
    gan = (parts.gan_class or GAN)(parts.generator, parts.discriminator, seed=seed, ema_decay=ema_decay)
    gan.compile(d_optimizer=parts.d_optimizer, g_optimizer=parts.g_optimizer, **parts.compile_kwargs)
    return gan


# ---------------------------------------------------------------------- what a run records


def _optimizer_settings(optimizer):
    config = optimizer.get_config()
    config.pop("name", None)  # Keras numbers optimizer names within a session (adam, adam_1, ...)
    for key, value in config.items():  # values held in float32 variables: 1e-4, not 9.999999747378752e-05
        if isinstance(value, float):
            config[key] = float(f"{value:.7g}")
    schedule = optimizer._learning_rate
    if not isinstance(config.get("learning_rate"), (int, float)):
        config["learning_rate"] = dict(schedule=type(schedule).__name__, **schedule.get_config())
    return dict(optimizer=type(optimizer).__name__, **config)


def _model_settings(model):
    return dict(name=model.name, params=int(model.count_params()),
                weight_shapes=[list(weight.shape) for weight in model.weights])


def recipe_settings(gan, recipe):
    """Everything about a built recipe that changes what training does, as a JSON-ready dict.

    The recipe's defaults (batch size, epochs, conditional, crop scale), ``gan.training_settings()``
    (loss, steps, penalties, clipping, smoothing, augmentation, moving average, steps per
    execution), both optimizers' configurations (learning rates and their schedules) and
    both networks' names, sizes and weight shapes. A run records it in ``config.json``;
    :func:`settings_differences` names what changed.
    """
    settings = dict(batch_size=recipe.batch_size, epochs=recipe.epochs, conditional=recipe.conditional,
                    crop_scale=recipe.crop_scale, training=gan.training_settings(), d_optimizer=_optimizer_settings(gan.d_optimizer),
                    g_optimizer=_optimizer_settings(gan.g_optimizer), generator=_model_settings(gan.generator),
                    discriminator=_model_settings(gan.discriminator))
    return json.loads(json.dumps(settings))  # tuples become lists, as they come back from config.json


def _flatten(settings, prefix=""):
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def settings_differences(saved, current):
    """The settings that differ between two :func:`recipe_settings` dicts, as ``"key: saved -> current"`` lines.

    A setting that is None on one side and missing on the other is no difference: settings added to
    ganlab later default to None (for example ``crop_scale``), and runs recorded before them stay valid.
    """
    old = {key: value for key, value in _flatten(saved).items() if value is not None}
    new = {key: value for key, value in _flatten(current).items() if value is not None}
    return [f"{key}: {old.get(key, '(none)')!r} -> {new.get(key, '(none)')!r}"
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


# ---------------------------------------------------------------------- published configurations


def wgan_config():
    """The original WGAN's settings (Arjovsky et al., 2017, Algorithm 1).

    RMSProp with learning rate 5e-5, clipping c = 0.01, n_critic = 5.
    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    import keras

    compile_kwargs = dict(loss="wasserstein", discriminator_steps=5, clip_value=0.01)
    return compile_kwargs, lambda: keras.optimizers.RMSprop(learning_rate=5e-5)


def wgan_gp_config():
    """WGAN-GP's settings (Gulrajani et al., 2017, Algorithm 1).

    lambda = 10, n_critic = 5, Adam with learning rate 1e-4, beta1 = 0, beta2 = 0.9.
    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    import keras

    compile_kwargs = dict(loss="wasserstein", discriminator_steps=5, gradient_penalty_weight=10.0)
    return compile_kwargs, lambda: keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)


def dcgan_config(learning_rate=2e-4, r1_weight=0.0):
    """DCGAN's settings (Radford et al., 2016): Adam with learning rate 2e-4 and beta1 = 0.5.

    Args:
        learning_rate: Adam's learning rate for both networks; the default is the paper's.
            The ``"dcgan"`` recipe uses ten times more (:data:`DCGAN_LEARNING_RATE`).
        r1_weight: gamma of the R1 penalty on real data (Mescheder et al., 2018); the default,
            0, is the paper's (no penalty). The ``"dcgan"`` recipe uses :data:`DCGAN_R1_WEIGHT`.

    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    import keras

    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    compile_kwargs = dict(loss="non_saturating", discriminator_steps=1, r1_weight=float(r1_weight))
    return compile_kwargs, lambda: keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.5)


def _pair(config):
    """``Parts`` of two fresh optimizers from a ``(compile_kwargs, optimizer_factory)`` pair."""
    compile_kwargs, optimizer = config
    return lambda generator, discriminator: Parts(generator, discriminator, optimizer(), optimizer(), compile_kwargs)


# ---------------------------------------------------------------------- image recipes (chapters 4-8)

EMA_DECAY = 0.999  # the moving average the DCGAN and CPPN recipes sample from
# The DCGAN recipes take ten times the paper's learning rate (2e-4): on a CPU budget of minutes it
# reaches the same FID several times sooner (benchmarks/NOTES.md, "Learning rate").
DCGAN_LEARNING_RATE = 2e-3
# The unconditional "dcgan" recipe on MNIST adds the R1 penalty on real digits (Mescheder et al., 2018) with
# gamma 0.1: at 5 minutes of training it reached FID 52 against 82 without it, although each step takes about
# 1.5 times as long (benchmarks/NOTES.md, "The small-data levers on the MNIST DCGAN"). Measured for the
# unconditional recipe only; "cdcgan" on MNIST keeps the paper's objective.
DCGAN_R1_WEIGHT = 0.1


# Colour images (chapter 9): the "dcgan" and "cdcgan" recipes on crops of paintings, a folder or an image
# file, at any square size 2^k from 16 to 256 (``ganlab train --dataset paintings --size 64``). The settings
# were chosen by measurement on 2 CPU cores (benchmarks/paintings_levers.py, benchmarks/NOTES.md "Paintings"):
# at 3 minutes of training each (a loaded machine), plain beat spectral norm, R1 (gamma 0.1), DiffAugment, TTUR
# (5e-4 / 2e-3) and SN + DiffAugment (mean FID / floor 199 against 274 to 1902). At chapter 9's 6 minutes on
# the idle machine (stop 14, seed 0) R1 at gamma 0.1 beat plain: mean FID / floor 43.9 against 54.9 and KID
# halved, with 1201 steps against 1608. Over two more training seeds (stop 15, the same step counts) R1 won
# again, 46.9 against 108.0 and 43.6 against 67.3, with KID two to seven times lower: the recipe takes R1
# (NOTES, "R1 or not, over three training seeds"); the other levers stay off.
IMAGE_GAN = dict(
    learning_rate=1e-3,  # Adam's, both networks; 2e-4 draws little more than a plaid in a few CPU minutes
    d_learning_rate=None,  # the discriminator's, if it differs (TTUR, Heusel et al., 2017)
    beta_1=0.5,
    spectral_norm=False,  # spectral normalisation of the discriminator (Miyato et al., 2018)
    r1_weight=0.1,  # gamma of the R1 penalty on real crops (Mescheder et al., 2018); 0 turns it off
    augment=None,  # a DiffAugment policy (Zhao et al., 2020), e.g. ("color", "translation", "cutout")
    batch_size=64,
    epochs=20,  # epochs of IMAGE_STEPS_PER_EPOCH steps: crops are drawn afresh, so there is no pass over data
    ema_decay=0.999,
)
IMAGE_STEPS_PER_EPOCH = 100
# The settings of IMAGE_GAN that one run may change (``runs.train(..., options=dict(r1_weight=1.0))``).
IMAGE_OPTIONS = ("learning_rate", "d_learning_rate", "spectral_norm", "r1_weight", "augment")
_IMAGE_KIND = dict(images=dict(batch_size=IMAGE_GAN["batch_size"], epochs=IMAGE_GAN["epochs"],
                               ema_decay=IMAGE_GAN["ema_decay"], options=IMAGE_OPTIONS))


def _image_gan(data, conditional, **options):
    """The networks, optimizers and compile arguments of "dcgan" / "cdcgan" on colour crops.

    The settings are :data:`IMAGE_GAN`'s, with ``options`` (names from :data:`IMAGE_OPTIONS`) changed;
    ``d_learning_rate`` gives the discriminator its own learning rate (TTUR, Heusel et al., 2017).
    """
    import keras

    from ganlab import models
    from ganlab.augment import make_augment

    settings = dict(IMAGE_GAN, **options)
    size, _, channels = data.shape
    num_classes = data.num_classes if conditional else None
    generator = models.image_generator(size, channels, num_classes=num_classes)
    discriminator = models.image_discriminator(size, channels, num_classes=num_classes,
                                               spectral_norm=settings["spectral_norm"])

    def adam(learning_rate):
        return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=settings["beta_1"])

    d_learning_rate = settings["d_learning_rate"] or settings["learning_rate"]
    augment = make_augment(settings["augment"]) if settings["augment"] else None
    return Parts(generator, discriminator, adam(d_learning_rate), adam(settings["learning_rate"]),
                 dict(loss="non_saturating", r1_weight=settings["r1_weight"], augment=augment))


@register_recipe("mlp", "the classic fully connected GAN, non-saturating loss, Adam 2e-4 / beta1 0.5",
                 datasets=("mnist",), batch_size=64, epochs=30)
def mlp(data):
    from ganlab import models

    return _pair(dcgan_config())(models.mlp_generator(image_shape=data.shape),
                                 models.mlp_discriminator(image_shape=data.shape))


@register_recipe("dcgan", "DCGAN (Radford et al.), Adam 2e-3 / beta1 0.5 (the paper: 2e-4), R1 0.1 on real digits "
                 "(Mescheder et al.); on colour images "
                 "a DCGAN of any size 16-256 (see recipes.IMAGE_GAN)", datasets=("mnist", IMAGES),
                 batch_size=64, epochs=20, ema_decay=EMA_DECAY, by_kind=_IMAGE_KIND)
def dcgan(data, **options):
    from ganlab import models

    if data.kind == IMAGES:
        return _image_gan(data, conditional=False, **options)
    return _pair(dcgan_config(DCGAN_LEARNING_RATE, r1_weight=DCGAN_R1_WEIGHT))(models.dcgan_generator(),
                                                                                models.dcgan_discriminator())


@register_recipe("cdcgan", "conditional DCGAN: the label (the digit; on images, the painting or file a crop comes "
                 "from) enters G and D; Adam 2e-3 / beta1 0.5; on images Adam 1e-3 and R1 0.1 (see recipes.IMAGE_GAN)",
                 datasets=("mnist", IMAGES),
                 batch_size=64, epochs=20, conditional=True, ema_decay=EMA_DECAY, by_kind=_IMAGE_KIND)
def cdcgan(data, **options):
    from ganlab import models

    if data.kind == IMAGES:
        return _image_gan(data, conditional=True, **options)
    return _pair(dcgan_config(DCGAN_LEARNING_RATE))(models.dcgan_generator(num_classes=data.num_classes),
                                                    models.dcgan_discriminator(num_classes=data.num_classes))


@register_recipe("cmlp", "conditional MLP GAN", datasets=("mnist",), batch_size=64, epochs=30, conditional=True)
def cmlp(data):
    from ganlab import models

    return _pair(dcgan_config())(models.mlp_generator(image_shape=data.shape, num_classes=data.num_classes),
                                 models.mlp_discriminator(image_shape=data.shape, num_classes=data.num_classes))


# chapter 8 (art): a CPPN generator, renderable at any size, against a small DCGAN discriminator
@register_recipe("cppn", "CPPN generator (draws at any size; Ha, 2016) against a DCGAN discriminator with 32 filters, "
                 "Adam 2e-4 / beta1 0.5", datasets=("mnist",), batch_size=64, epochs=8, ema_decay=EMA_DECAY)
def cppn(data):
    from ganlab import models
    from ganlab.cppn import cppn_generator

    return _pair(dcgan_config())(cppn_generator(), models.dcgan_discriminator(filters=32))


# ---------------------------------------------------------------------- toy (2D) recipes: chapter 3

TOY_STEPS_PER_EPOCH = 500  # an "epoch" of a toy recipe: 2D data are sampled, not passed over
# Learning rates of the vanilla toy recipes "gan" and "mbstd" (ganlab.widgets.Playground uses the same).
TOY_GAN_LEARNING_RATES = dict(discriminator=1e-4, generator=1e-3)
# The toy recipe "gan-ttur": the same networks with the imbalance turned round, a discriminator that learns
# faster than its generator, as the two time-scale update rule of Heusel et al. (2017) recommends.
TOY_TTUR_LEARNING_RATES = dict(discriminator=1e-3, generator=1e-4)
# The toy recipes run this many training steps per call of Keras' compiled train function
# (``steps_per_execution``), which cuts Python's overhead on these small networks (about 20% of the
# CPU time, half of the wall-clock time on a shared machine). A ``fit`` of theirs must therefore train
# a multiple of it per epoch, as ``ganlab.runs.train`` does (whole epochs of TOY_STEPS_PER_EPOCH steps).
TOY_STEPS_PER_EXECUTION = 50

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
TOY_DATASETS = tuple(TOY_DISTRIBUTIONS)


def _fast_steps(compile_kwargs):
    return dict(compile_kwargs, steps_per_execution=TOY_STEPS_PER_EXECUTION)


def _toy_gan(minibatch_std, learning_rates=None):
    import keras

    from ganlab import models

    learning_rates = learning_rates or TOY_GAN_LEARNING_RATES

    def adam(rate):
        return keras.optimizers.Adam(learning_rate=rate, beta_1=0.5)

    return Parts(models.toy_generator(), models.toy_discriminator(minibatch_std=minibatch_std),
                 adam(learning_rates["discriminator"]), adam(learning_rates["generator"]),
                 _fast_steps(dict(loss="non_saturating")))


@register_recipe("gan", "vanilla GAN on 2D data, non-saturating loss, Adam beta1 0.5 with G 1e-3 and D 1e-4: a "
                 "discriminator that lags behind, the setting that collapses in chapter 3", datasets=TOY_DATASETS,
                 batch_size=256, epochs=8)
def gan(data):
    return _toy_gan(minibatch_std=False)


@register_recipe("mbstd", "the 'gan' recipe with a discriminator that sees the minibatch std", datasets=TOY_DATASETS,
                 batch_size=256, epochs=8)
def mbstd(data):
    return _toy_gan(minibatch_std=True)


@register_recipe("gan-ttur", "the 'gan' recipe with its learning rates swapped, D 1e-3 and G 1e-4: a discriminator "
                 "faster than its generator, as TTUR (Heusel et al.) recommends", datasets=TOY_DATASETS,
                 batch_size=256, epochs=8)
def gan_ttur(data):
    return _toy_gan(minibatch_std=False, learning_rates=TOY_TTUR_LEARNING_RATES)


# The controls of chapter 3: the toy "wgan-gp" recipe departs from "gan" in seven ways at once (equal learning
# rates, their schedule, the moving average, a wider G, a smaller critic, 3 critic steps, and the loss with its
# penalty). "ns-tuned" keeps the first six and only puts the non-saturating loss back (no penalty), so that a
# table with both tells what the loss does; "mbstd-tuned" is "ns-tuned" with the minibatch-std feature.
_TUNED = dict(batch_size=TOY_WGAN_GP["batch_size"], epochs=TOY_WGAN_GP["epochs"], ema_decay=TOY_WGAN_GP["ema_decay"])


@register_recipe("ns-tuned", "control for the toy 'wgan-gp': its settings (G 3 x 256, D 3 x 64, 3 D steps, Adam 1e-3 "
                 "/ (0.5, 0.9) held then decayed, EMA 0.999) with the non-saturating loss and no penalty",
                 datasets=TOY_DATASETS, **_TUNED)
def ns_tuned(data):
    return _toy_tuned(loss="non_saturating", minibatch_std=False)


@register_recipe("mbstd-tuned", "the 'ns-tuned' control with the minibatch-std feature in D",
                 datasets=TOY_DATASETS, **_TUNED)
def mbstd_tuned(data):
    return _toy_tuned(loss="non_saturating", minibatch_std=True)


# ---------------------------------------------------------------------- Wasserstein recipes (chapters 3 and 6)


@register_recipe("wgan", "WGAN with weight clipping (Arjovsky et al.): RMSProp 5e-5, c = 0.01, 5 critic steps",
                 datasets=("mnist",) + TOY_DATASETS, batch_size=64, epochs=20)
def wgan(data):
    from ganlab import models

    if data.kind == "toy":
        return _pair(wgan_config())(models.toy_generator(), models.toy_discriminator())
    return _pair(wgan_config())(models.dcgan_generator(), models.wgan_critic(normalization=None))


@register_recipe("wgan-gp", "WGAN-GP (Gulrajani et al.): lambda 10, 5 critic steps, Adam 1e-4 / (0, 0.9)",
                 datasets=("mnist",) + TOY_DATASETS, batch_size=64, epochs=20, by_kind=dict(toy=dict(
                     batch_size=TOY_WGAN_GP["batch_size"], epochs=TOY_WGAN_GP["epochs"],
                     ema_decay=TOY_WGAN_GP["ema_decay"],
                     description="WGAN-GP tuned for 2D data (see recipes.TOY_WGAN_GP): G 3 x 256, critic 3 x 64, "
                                 "lambda 1, 3 critic steps, Adam 1e-3 / (0.5, 0.9) held 2,000 steps then decayed "
                                 "linearly over 2,000, EMA 0.999")))
def wgan_gp(data):
    from ganlab import models

    if data.kind == "toy":
        return _toy_wgan_gp()
    return _pair(wgan_gp_config())(models.dcgan_generator(), models.wgan_critic(normalization="layer"))


# ---- chapter 6: WGAN-GP on MNIST tuned for a CPU budget (book-b's block)
# The paper's settings ("wgan-gp": Adam 1e-4 / (0, 0.9), 5 critic steps) need many more epochs than a CPU
# gives a chapter; after 4 epochs they draw worse digits than chapter 4's MLP GAN. These settings, in the
# spirit of chapter 3's toy tuning, were screened on the 2-core machine (benchmarks/NOTES.md, "Screening at
# 4 minutes": FID 128.8 after 4 minutes against 259 for the paper's settings after 4 epochs): fewer critic
# steps make a generator step cheaper, a larger learning rate with momentum moves further per step, and the
# moving average of G (as in the DCGAN recipe) smooths the samples. Chapter 6 trains it. Measured with these
# settings (2-core machine shared with other jobs, load average 3 to 13, offline copy of 22,699 digits, seed 0):
# FID of 10,000 samples 96.0 after 10 epochs (32 minutes of training under that load), against 208.1 for the
# "mlp" recipe's 30 epochs (9 minutes) on the same data; both covered the ten digits.
WGAN_GP_CPU = dict(
    critic_steps=2,  # the paper: 5; each critic step costs a gradient of a gradient
    gradient_penalty_weight=10.0,  # the paper's lambda, kept
    learning_rate=1e-3,  # the paper: 1e-4
    beta_1=0.5,  # the paper: 0
    beta_2=0.9,  # the paper's
    batch_size=64,
    epochs=10,
    ema_decay=EMA_DECAY,  # sample from the moving average of G's weights, as the DCGAN recipe does
)


@register_recipe("wgan-gp-cpu", "WGAN-GP on MNIST tuned for a CPU budget (see recipes.WGAN_GP_CPU): lambda 10, "
                 "2 critic steps, Adam 1e-3 / (0.5, 0.9), EMA 0.999", datasets=("mnist",),
                 batch_size=WGAN_GP_CPU["batch_size"], epochs=WGAN_GP_CPU["epochs"],
                 ema_decay=WGAN_GP_CPU["ema_decay"], options=("spectral_norm", "loss"))
def wgan_gp_cpu(data, spectral_norm=False, loss="wasserstein"):
    """``spectral_norm=True`` swaps the penalty for spectral normalisation (Miyato et al., 2018): the critic
    loses its layer norm and the penalty, and keeps the loss, the steps and the optimizers (chapter 6).
    ``loss`` (a name of ``losses.LOSSES``) changes the loss: ``"hinge"`` is Miyato et al.'s."""
    import keras

    from ganlab import models

    settings = WGAN_GP_CPU
    compile_kwargs = dict(loss=loss, discriminator_steps=settings["critic_steps"],
                          gradient_penalty_weight=0.0 if spectral_norm else settings["gradient_penalty_weight"])

    def adam():
        return keras.optimizers.Adam(learning_rate=settings["learning_rate"], beta_1=settings["beta_1"],
                                     beta_2=settings["beta_2"])

    critic = (models.wgan_critic(normalization=None, spectral_norm=True) if spectral_norm
              else models.wgan_critic(normalization="layer"))
    return Parts(models.dcgan_generator(), critic, adam(), adam(), compile_kwargs)
# ---- end of chapter 6's block


def _toy_wgan_gp():
    """Models, compile arguments and optimizers of the toy "wgan-gp" recipe (see :data:`TOY_WGAN_GP`)."""
    return _toy_tuned(loss="wasserstein", minibatch_std=False)


def _toy_tuned(loss, minibatch_std):
    """The settings of :data:`TOY_WGAN_GP` with ``loss``: the penalty goes with the Wasserstein loss only."""
    import keras

    from ganlab import models
    from ganlab.schedules import HoldThenDecay

    settings = TOY_WGAN_GP
    generator = models.toy_generator(hidden=settings["generator_hidden"])
    critic = models.toy_discriminator(hidden=settings["critic_hidden"], minibatch_std=minibatch_std)
    penalty = settings["gradient_penalty_weight"] if loss == "wasserstein" else 0.0
    compile_kwargs = dict(loss=loss, discriminator_steps=settings["critic_steps"], gradient_penalty_weight=penalty)

    def adam(updates_per_step):  # the critic's optimizer counts critic_steps updates per generator step
        schedule = HoldThenDecay(settings["learning_rate"], settings["hold_steps"] * updates_per_step,
                                 settings["decay_steps"] * updates_per_step)
        return keras.optimizers.Adam(learning_rate=schedule, beta_1=settings["beta_1"], beta_2=settings["beta_2"])

    return Parts(generator, critic, adam(settings["critic_steps"]), adam(1), _fast_steps(compile_kwargs))


# ---------------------------------------------------------------------- textures (chapter 10)

# Textures (chapter 10): a fully convolutional generator trained on crops of one image (or several, then the
# global noise picks among them) paints canvases of any size (``ganlab render RUN --size 2048``). Crops keep
# about the painting's own scale (64 px of a 640 px copy) so that the brushwork is learned, not shrunk.
TEXTURE = dict(
    learning_rate=5e-4,  # Adam's, both networks (2e-4 paints the same after twice the steps)
    beta_1=0.5,
    beta_2=0.99,
    batch_size=16,  # 16 crops of 64 x 64: about 0.2 s a step on 2 CPU cores with R1
    # of IMAGE_STEPS_PER_EPOCH steps: 3,000 steps, 587 s of training (628 s as a whole process) on the idle
    # 2-core machine with R1 (stop 17); R1 runs keep improving from 2,000 to 3,000 steps and beyond
    epochs=30,
    crop_scale=(0.16, 0.2),  # 64 px of the shorter side of a 640 x 400 copy is 0.16
    local_dim=8,
    global_dim=16,
    periodic_dim=0,  # periodic channels painted stripes and lattices within this budget (see ganlab.texture)
    # sample and render from a moving average of G's weights, as the DCGAN recipes do: at 1,000 steps the
    # canvas crops scored 193 times the real-crop floor against 301 without it, with cleaner strokes and
    # fewer orange dashes (benchmarks/NOTES.md, "Texture GAN: what the moving average and the learning rate do")
    ema_decay=EMA_DECAY,
    # gamma of the R1 penalty on real crops (Mescheder et al., 2018); 0: none. With gamma 1 the samples scored
    # 10.9 times the real-crop floor at 3,000 steps (five sets) and the wandering canvases 12.5, against 13.6
    # and 16.9 for the recipe without it at 2,000; in longer runs on a GPU its samples stayed at 7 to 9 from
    # 4,000 steps on while the run without it swung between 28 and 79 (benchmarks/NOTES.md, stops 15 and 17)
    r1_weight=1.0,
    # both learning rates held for hold_steps generator steps, then decayed linearly to 1% of them over
    # decay_steps (schedules.HoldThenDecay; decay_steps 0: held throughout), so the recipe's 3,000 steps end
    # settled. On a GPU (JAX), 3,000 steps with this decay scored 7.8 times the real-crop floor for samples and
    # 9.9 for wandering canvases (means of seven runs) against 8.9 and 14.8 held (five runs); a decay over the
    # last 1,000 steps or over all 3,000 did less (benchmarks/NOTES.md, stop 19). The schedule counts steps,
    # not epochs: a run resumed past 3,000 steps trains on at 1% of the rate
    hold_steps=1000,
    decay_steps=2000,
)


@register_recipe("texture", "texture GAN (Spatial GAN / PSGAN; Jetchev et al., Bergmann et al.): a fully "
                 "convolutional generator of crops of one image, or several, that paints canvases of any size "
                 "(ganlab render --size)", datasets=(IMAGES,), batch_size=TEXTURE["batch_size"],
                 epochs=TEXTURE["epochs"], crop_scale=TEXTURE["crop_scale"], ema_decay=TEXTURE["ema_decay"],
                 options=("learning_rate", "ema_decay", "r1_weight", "hold_steps", "decay_steps"))
def texture(data, learning_rate=TEXTURE["learning_rate"], r1_weight=TEXTURE["r1_weight"],
            hold_steps=TEXTURE["hold_steps"], decay_steps=TEXTURE["decay_steps"]):
    import keras

    from ganlab import texture as textures
    from ganlab.schedules import HoldThenDecay

    if hold_steps < 0 or decay_steps < 0:
        raise ValueError(f"hold_steps and decay_steps must be >= 0, got {hold_steps!r} and {decay_steps!r}.")

    size, _, channels = data.shape
    generator = textures.texture_generator(local_dim=TEXTURE["local_dim"], global_dim=TEXTURE["global_dim"],
                                           periodic_dim=TEXTURE["periodic_dim"], channels=channels, crop_size=size)
    discriminator = textures.texture_discriminator(channels=channels)

    def adam():  # one discriminator step per generator step, so both optimizers count generator steps
        rate = HoldThenDecay(learning_rate, hold_steps, decay_steps) if decay_steps else learning_rate
        return keras.optimizers.Adam(learning_rate=rate, beta_1=TEXTURE["beta_1"], beta_2=TEXTURE["beta_2"])

    return Parts(generator, discriminator, adam(), adam(), dict(loss="non_saturating", r1_weight=float(r1_weight)),
                 gan_class=textures.TextureGAN)
