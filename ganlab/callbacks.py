"""Keras callbacks for GAN runs: sample grids, crash-proof checkpoints, and a NaN guard.

A run directory holds ``checkpoint.npz`` (everything needed to resume: both
networks, both optimizers, the noise generator's state, the epoch and the
history), ``generator.keras``, ``history.csv``, ``samples/epoch_NNN.png`` and
``training.gif``. Every file is written to a temporary name and moved into
place with ``os.replace``, so a run killed at any moment (even ``kill -9``)
leaves the previous epoch's files intact.
"""

import csv
import io
import json
import math
import os
from pathlib import Path

import keras
import numpy as np

from ganlab import viz
from ganlab.latent import latent_vectors


def _atomic_write_bytes(path, data):
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp, path)


def _finite(logs):
    return all(math.isfinite(float(v)) for v in (logs or {}).values()
               if isinstance(v, (int, float, np.floating, np.integer)))


class TrainingDiverged(RuntimeError):
    """Raised by :class:`NaNGuard` when a loss became NaN or infinite."""


class NaNGuard(keras.callbacks.Callback):
    """Stop training as soon as a logged loss is NaN or infinite.

    It sets ``model.stop_training`` and remembers the message in ``self.message``;
    :class:`RunCheckpoint` then refuses to save, so the last good checkpoint stays.
    ``ganlab.runs.train`` raises :class:`TrainingDiverged` with the message.
    """

    def __init__(self):
        super().__init__()
        self.message = None

    def on_train_batch_end(self, batch, logs=None):
        if self.message is None and not _finite(logs):
            bad = {k: float(v) for k, v in logs.items() if not math.isfinite(float(v))}
            self.message = (f"training diverged at epoch {self._epoch + 1}, batch {batch + 1}: {bad}. "
                            "The last good checkpoint is kept; lower the learning rates or resume from it.")
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.message is None and not _finite(logs):
            self.message = f"training diverged at the end of epoch {epoch + 1}: {logs}."
            self.model.stop_training = True


class SampleGrid(keras.callbacks.Callback):
    """Draw the same fixed latent vectors after every epoch to ``samples/epoch_NNN.png``.

    Images become a grid; 2D points a scatter plot over the real data. At the
    end of training the PNGs are assembled into ``training.gif``.

    Args:
        run_dir: the run directory.
        n: how many samples per picture (100 makes a 10 x 10 grid).
        seed: seed of the fixed latent vectors.
        real: for 2D data, real points drawn under the samples.
        centres: for 2D data, the mode centres.
    """

    def __init__(self, run_dir, n=100, seed=1234, real=None, centres=None):
        super().__init__()
        self.directory = Path(run_dir) / "samples"
        self.run_dir = Path(run_dir)
        self.n, self.seed, self.real, self.centres = n, seed, real, centres

    def on_train_begin(self, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        self.latents = latent_vectors(self.n, self.model.latent_dim, self.seed)

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs):
            return
        samples = self.model.generate(self.n, latents=self.latents)
        path = self.directory / f"epoch_{epoch + 1:03d}.png"
        if samples.ndim == 4:
            buffer = io.BytesIO()
            viz.to_pil(viz.grid(samples, nrow=10), scale=2).save(buffer, format="PNG")
        else:
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(4, 4))
            viz.scatter_2d(samples, real=self.real, centres=self.centres, ax=ax, title=f"epoch {epoch + 1}")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=80)
            plt.close(fig)
        _atomic_write_bytes(path, buffer.getvalue())

    def on_train_end(self, logs=None):
        if any(self.directory.glob("epoch_*.png")):
            tmp = self.run_dir / "training.tmp.gif"
            viz.gif_from_pngs(self.directory, tmp)
            os.replace(tmp, self.run_dir / "training.gif")


# ---------------------------------------------------------------------- checkpoints


def _state_arrays(gan):
    arrays = {}
    for prefix, variables in (("model", gan.weights), ("d_opt", gan.d_optimizer.variables),
                              ("g_opt", gan.g_optimizer.variables)):
        for index, variable in enumerate(variables):
            arrays[f"{prefix}_{index:04d}"] = keras.ops.convert_to_numpy(variable)
    arrays["seed_state"] = keras.ops.convert_to_numpy(gan.seed_generator.state)
    return arrays


def save_checkpoint(gan, path, epoch, history):
    """Save everything needed to resume ``gan`` after ``epoch`` epochs, atomically."""
    arrays = _state_arrays(gan)
    arrays["epoch"] = np.array(epoch)
    arrays["history"] = np.array(json.dumps(history))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(gan, path):
    """Restore ``gan`` (compiled, same architecture) from ``path``; return ``(epoch, history)``.

    Raises:
        ValueError: if the file is unreadable or does not match this GAN.
    """
    gan.build_optimizers()
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {key: data[key] for key in data.files}
    except Exception as error:
        raise ValueError(f"checkpoint {path} is corrupt or unreadable ({type(error).__name__}: {error}); "
                         "start a new run in another directory.") from None
    for prefix, variables in (("model", gan.weights), ("d_opt", gan.d_optimizer.variables),
                              ("g_opt", gan.g_optimizer.variables)):
        keys = sorted(k for k in stored if k.startswith(prefix + "_"))
        if len(keys) != len(variables):
            raise ValueError(f"checkpoint {path} holds {len(keys)} {prefix} arrays but this model has "
                             f"{len(variables)}: it was made by a different model or settings.")
        for key, variable in zip(keys, variables):
            if tuple(stored[key].shape) != tuple(variable.shape):
                raise ValueError(f"checkpoint {path}: {key} has shape {stored[key].shape}, the model expects "
                                 f"{tuple(variable.shape)}; it was made by a different model or settings.")
            variable.assign(stored[key])
    gan.seed_generator.state.assign(stored["seed_state"])
    return int(stored["epoch"]), json.loads(str(stored["history"]))


def record_epoch(history, epoch, logs):
    """Append one epoch's logs to ``history`` (metric -> list, one entry per epoch).

    Metrics logged only on some epochs (FID every k epochs) get None elsewhere, so
    every list stays aligned with the epoch number.
    """
    for key in set(history) | set(logs or {}):
        values = history.setdefault(key, [])
        values.extend([None] * (epoch - len(values)))
        value = (logs or {}).get(key)
        values.append(None if value is None else float(value))


def write_history_csv(history, path):
    """Write a history dict (metric -> list per epoch) as CSV with an ``epoch`` column, atomically."""
    keys = sorted(history)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["epoch"] + keys)
    length = max((len(v) for v in history.values()), default=0)
    for epoch in range(length):
        row = [history[k][epoch] if epoch < len(history[k]) else None for k in keys]
        writer.writerow([epoch + 1] + ["" if value is None else value for value in row])
    _atomic_write_bytes(path, buffer.getvalue().encode())


class RunCheckpoint(keras.callbacks.Callback):
    """After every epoch, save ``checkpoint.npz``, ``generator.keras`` and ``history.csv``.

    Epochs whose logs are not finite, or in which ``guard`` (a :class:`NaNGuard`) fired,
    are not saved, so the last good checkpoint survives a diverged run. ``history`` is the history so far (from a resumed checkpoint) and grows here.
    """

    def __init__(self, run_dir, history=None, guard=None):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.history = history if history is not None else {}
        self.guard = guard

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs) or (self.guard is not None and self.guard.message is not None):
            return
        record_epoch(self.history, epoch, logs)
        save_checkpoint(self.model, self.run_dir / "checkpoint.npz", epoch + 1, self.history)
        tmp = self.run_dir / "generator.tmp.keras"
        self.model.sampler.save(tmp)
        os.replace(tmp, self.run_dir / "generator.keras")
        write_history_csv(self.history, self.run_dir / "history.csv")
