"""Shared test set-up: offline data, a private cache, and quiet TensorFlow."""

import os
from pathlib import Path

import keras
import pytest

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if "GANLAB_DATA_DIR" not in os.environ and SHARED_MNIST.is_dir():
    os.environ["GANLAB_DATA_DIR"] = str(SHARED_MNIST)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    if "GANLAB_CACHE_DIR" not in os.environ:
        os.environ["GANLAB_CACHE_DIR"] = str(tmp_path_factory.mktemp("ganlab_cache"))
    yield


@pytest.fixture(scope="module")
def cppn():
    """A small CPPN (latent 8, width 16, 12 x 12 pictures) with seeded weights."""
    from ganlab.cppn import cppn_generator

    keras.utils.set_random_seed(0)
    return cppn_generator(latent_dim=8, hidden=16, size=12)


@pytest.fixture
def run_with_grids(tmp_path):
    """A function that saves a sample grid ``samples/epoch_NNN.png`` for each of ``epochs`` into ``tmp_path``."""
    import numpy as np

    from ganlab import viz

    def make(epochs):
        for epoch in epochs:
            images = np.full((4, 28, 28, 1), -1.0 + 0.1 * epoch, dtype=np.float32)
            viz.save_grid(images, tmp_path / "samples" / f"epoch_{epoch:03d}.png", nrow=2)
        return tmp_path

    return make


@pytest.fixture(scope="session")
def test_split():
    """The 10,000 MNIST test images and labels."""
    from ganlab.datasets import load_mnist

    return load_mnist("test")
