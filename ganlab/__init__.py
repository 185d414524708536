"""ganlab: Generative Adversarial Networks for art, with Keras 3.

The package behind the ganlab book. Modules, in the order data flows:
``datasets`` -> ``models`` / ``losses`` -> ``training`` -> ``metrics`` / ``viz``
-> ``callbacks`` / ``runs`` -> ``widgets`` / ``cli``.
"""

__version__ = "0.1.0"

import os

# TensorFlow's start-up chatter (oneDNN, CPU features) hides what a reader needs to see.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


from ganlab.config import cache_dir, fast_mode, pick
from ganlab.datasets import load_mnist, make_dataset
from ganlab.models import load_generator
from ganlab.training import GAN

__all__ = [
    "__version__",
    "GAN",
    "cache_dir",
    "fast_mode",
    "load_generator",
    "load_mnist",
    "make_dataset",
    "pick",
]
