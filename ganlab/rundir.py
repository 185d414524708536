"""The run directory: every file a training run writes, and the code that reads and writes them.

A run directory holds

=================== ============================================================
``config.json``     what was trained: model, dataset, seed, sizes, the recipe's settings, the Keras
                    backend, and the versions of Python, numpy, Keras and the backend's library
``checkpoint.npz``  everything needed to resume: both networks, both optimizers, the noise
                    generator's state, the epoch and the history
``generator.keras`` the generator to sample from (the moving average if there is one)
``history.csv``     one row per epoch: losses and metrics
``samples/``        ``epoch_NNN.png``: the same latent vectors drawn after every epoch
``training.gif``    those pictures as an animation
``.lock``           held (``flock``) by the one process that trains into the directory
=================== ============================================================

Every file is written to a temporary name and moved into place with
``os.replace``, so a run killed at any moment (even ``kill -9``) leaves the
previous epoch's files intact.
"""

import contextlib
import csv
import importlib
import io
import json
import os
import platform
import zipfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: runs are not locked there
    fcntl = None

import keras
import numpy as np


class RunDir:
    """The files of one run directory, by what they hold.

    Args:
        path: the directory (it need not exist yet).
    """

    CONFIG = "config.json"
    CHECKPOINT = "checkpoint.npz"
    GENERATOR = "generator.keras"
    HISTORY = "history.csv"
    SAMPLES = "samples"
    GIF = "training.gif"
    LOCK = ".lock"

    def __init__(self, path):
        self.path = Path(path)
        self.config_path = self.path / self.CONFIG
        self.checkpoint_path = self.path / self.CHECKPOINT
        self.generator_path = self.path / self.GENERATOR
        self.history_path = self.path / self.HISTORY
        self.samples_dir = self.path / self.SAMPLES
        self.gif_path = self.path / self.GIF
        self.lock_path = self.path / self.LOCK

    def holds_run(self):
        """True if the directory holds a run (a ``config.json``)."""
        return self.config_path.is_file()

    def trained(self):
        """True if the directory holds trained weights (a checkpoint or a saved generator)."""
        return self.checkpoint_path.is_file() or self.generator_path.is_file()

    def unfinished_start(self):
        """True if the directory holds only what a start that never finished an epoch leaves behind:
        ``config.json``, an empty ``samples/`` and the lock (nothing trained, nothing to lose)."""
        if not self.path.is_dir():
            return False
        names = {entry.name for entry in self.path.iterdir()}
        samples_empty = not self.samples_dir.is_dir() or not any(self.samples_dir.iterdir())
        return names <= {self.CONFIG, self.SAMPLES, self.LOCK} and samples_empty

    @contextlib.contextmanager
    def owned(self):
        """Hold the directory for one process while it trains (an exclusive ``flock`` on ``.lock``).

        The operating system releases the lock when the process ends, even by ``kill -9``, so a
        crashed run never leaves the directory locked.

        Raises:
            ValueError: if another process holds it, or the path is a file.
        """
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{self.path} is a file, not a run directory; choose another --out.")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as stream:
            if fcntl is not None:
                try:
                    fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    stream.seek(0)
                    holder = stream.read().strip() or "unknown"
                    raise ValueError(f"{self.path} is in use: another ganlab process (pid {holder}) is training "
                                     "into it; wait for it to finish, or choose another --out.") from None
            stream.seek(0)
            stream.truncate()
            stream.write(str(os.getpid()))
            stream.flush()
            try:
                yield self
            finally:
                if fcntl is not None:
                    fcntl.flock(stream, fcntl.LOCK_UN)

    def read_config(self):
        """Read ``config.json``; raise ValueError if the directory holds no run or the file is corrupt."""
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{self.path} is a file, not a run directory.")
        if not self.path.is_dir():
            raise ValueError(f"run directory {self.path} does not exist.")
        if not self.config_path.is_file():
            raise ValueError(f"{self.path} holds no run (no config.json); train one with "
                             f"`ganlab train ... --out {self.path}`.")
        try:
            config = json.loads(self.config_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{self.config_path} is corrupt ({error}).") from None
        if not isinstance(config, dict) or not all(isinstance(config.get(key), str) for key in ("model", "dataset")):
            raise ValueError(f"{self.config_path} is malformed: expected a JSON object with a model and a dataset "
                             f"(as `ganlab train` writes it), got {str(config)[:60]!r}.")
        return config

    def write_config(self, config):
        """Write ``config`` (a JSON-ready dict) as ``config.json``, atomically, creating the directory.

        ``backend`` is added: the Keras backend of the process that writes it, the one that trained
        the run's latest epochs. A checkpoint holds plain arrays, so any backend can resume the run
        (the noise then continues from the same state with that backend's own random generator).
        """
        self.path.mkdir(parents=True, exist_ok=True)
        config = dict(config, backend=keras.backend.backend())
        atomic_write_bytes(self.config_path, json.dumps(config, indent=2).encode())

    def sample_path(self, epoch):
        """``samples/epoch_NNN.png`` of epoch ``epoch`` (counting from 1)."""
        return self.samples_dir / f"epoch_{epoch:03d}.png"

    def sample_epochs(self):
        """The epochs (numbers from 1, sorted) for which the run saved a sample grid ``samples/epoch_NNN.png``."""
        files = self.samples_dir.glob("epoch_*.png")
        return sorted(int(file.stem.split("_")[1]) for file in files if file.stem.split("_")[1].isdigit())

    def load_generator(self):
        """Load ``generator.keras``; a missing, truncated or unreadable file raises an error that says which.

        When Keras cannot read the file and the run records that it was saved by another Keras
        (``config.json``'s ``versions``), the message names both versions and the one to install.

        Raises:
            FileNotFoundError: if the run has no ``generator.keras``.
            ValueError: if it is truncated or corrupt, or this Keras cannot read it.
        """
        from ganlab import models

        config = self.read_config()
        if not self.generator_path.is_file():
            raise FileNotFoundError(f"{self.path} has no generator.keras: the run never finished an epoch; "
                                    f"train it with `ganlab train ... --out {self.path}`.")
        if not zipfile.is_zipfile(self.generator_path):
            raise ValueError(f"{self.generator_path} is truncated or corrupt (not a complete .keras archive); "
                             "resume the run with --resume to write it again, or restore it from a copy.")
        try:
            return models.load_generator(self.generator_path)
        except ValueError:
            saved = (config.get("versions") or {}).get("keras")
            if saved and saved != keras.__version__:
                raise ValueError(f"{self.generator_path} was saved by Keras {saved}, and this Keras "
                                 f"({keras.__version__}) cannot read it; install the same version "
                                 f"(pip install keras=={saved}).") from None
            raise

    def save_generator(self, generator):
        """Save ``generator`` as ``generator.keras``, atomically."""
        tmp = self.path / "generator.tmp.keras"
        generator.save(tmp)
        os.replace(tmp, self.generator_path)


def installed_versions():
    """The versions a run is trained with: Python, numpy, Keras and the library of Keras' backend."""
    versions = {"python": platform.python_version(), "numpy": np.__version__, "keras": keras.__version__}
    backend = keras.backend.backend()
    library = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}.get(backend, backend)
    try:
        versions[library] = importlib.import_module(library).__version__
    except (ImportError, AttributeError):
        versions[library] = "unknown"
    return versions


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` through a temporary file moved into place, so a crash leaves the old file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp, path)



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
    atomic_write_bytes(path, buffer.getvalue())


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
    atomic_write_bytes(path, buffer.getvalue().encode())
