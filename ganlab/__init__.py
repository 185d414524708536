"""ganlab: Generative Adversarial Networks for art, with Keras 3.

The package behind the ganlab book. Modules, in the order data flows (each
imports only modules before it): ``config`` / ``book`` / ``datasets`` / ``theory`` ->
``cppn`` / ``backends`` -> ``models`` / ``losses`` / ``augment`` / ``schedules`` -> ``latent``
-> ``training`` -> ``texture`` -> ``rundir`` / ``classifier`` / ``metrics`` / ``viz`` ->
``callbacks`` -> ``recipes`` -> ``runs`` -> ``widgets`` / ``cli``.

The names below are the public top-level API. They are imported on first use,
so ``import ganlab`` (and the ``ganlab`` command's ``--help``) does not wait for
TensorFlow.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "fast_mode": "ganlab.config",
    "pick": "ganlab.config",
    "cache_dir": "ganlab.config",
    "load_mnist": "ganlab.datasets",
    "make_dataset": "ganlab.datasets",
    "load_generator": "ganlab.models",
    "GAN": "ganlab.training",
    "frechet_distance": "ganlab.metrics",
    "classifier_score": "ganlab.metrics",
    "mode_coverage": "ganlab.metrics",
    "toy_metrics": "ganlab.metrics",
    "evaluate_images": "ganlab.metrics",
}

_SUBMODULES = ("augment", "book", "callbacks", "classifier", "cli", "config", "cppn", "datasets", "latent", "losses",
               "metrics", "models", "recipes", "rundir", "runs", "schedules", "texture", "theory", "training", "viz",
               "widgets")

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:  # ``import ganlab; ganlab.metrics`` works like ``from ganlab import metrics``
        return importlib.import_module(f"ganlab.{name}")
    raise AttributeError(f"module 'ganlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
