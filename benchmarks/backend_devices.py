"""Does every recipe train on the backend's accelerator? Steps of each recipe on arrays, on one Keras backend.

For each recipe this builds the GAN with ``recipes.build_gan``, runs ``fit`` for a few steps on
random arrays of the recipe's shape (numpy arrays, so no ``tf.data`` and no TensorFlow: the
machine may have PyTorch or JAX alone), and prints where the weights live, the losses (which
must be finite), the time per step after the first epoch, and whether ``generate`` gives images
of the right shape in [-1, 1]. It exits 1 when any recipe fails one of those checks.

    KERAS_BACKEND=torch python benchmarks/backend_devices.py [--steps 20] [--out results.json]

The data are noise, so the losses say nothing about quality: this checks placement (every
tensor on one device), the second-order gradients of the penalties (WGAN-GP, R1) and the
augmentation on that device, and measures speed.
"""

import argparse
import json
import math
import sys
import time

import numpy as np

# (model, dataset, size, options): the recipes the book trains, and the paintings recipe with each lever on
CASES = (
    ("mlp", "mnist", None, None),
    ("dcgan", "mnist", None, None),  # R1 on by default
    ("cdcgan", "mnist", None, None),
    ("wgan-gp-cpu", "mnist", None, None),  # gradient penalty
    ("cdcgan", "paintings", 64, None),
    ("cdcgan", "paintings", 64, dict(spectral_norm=True)),
    ("cdcgan", "paintings", 64, dict(r1_weight=1.0)),
    ("cdcgan", "paintings", 64, dict(augment="color,translation,cutout")),
    ("texture", "starry_night", 64, None),
)


def where(variable):
    """The device a Keras variable's value lives on, as the backend names it."""
    value = variable.value
    if hasattr(value, "device") and not callable(value.device):  # torch: an attribute
        return str(value.device)
    if hasattr(value, "devices"):  # jax
        return ",".join(sorted(str(device) for device in value.devices()))
    return str(getattr(value, "device", "?"))


def run_case(model, dataset, size, options, steps, seed=0):
    import keras

    from ganlab import recipes

    gan = recipes.build_gan(model, dataset, seed=seed, size=size, options=options)
    recipe = recipes.get_recipe(model, dataset, size)
    spec = recipes.get_dataset_spec(dataset, size)
    rng = np.random.default_rng(seed)
    n = recipe.batch_size * steps
    x = rng.uniform(-1, 1, (n, *spec.shape)).astype("float32")
    data = dict(x=x)
    if gan.conditional:
        data["y"] = rng.integers(0, spec.num_classes, n).astype("int32")
    gan.fit(**data, batch_size=recipe.batch_size, epochs=1, verbose=0)  # builds and compiles the step
    start = time.perf_counter()
    history = gan.fit(**data, batch_size=recipe.batch_size, epochs=1, verbose=0)
    seconds = (time.perf_counter() - start) / steps
    losses = {key: float(values[-1]) for key, values in history.history.items()}
    images = keras.ops.convert_to_numpy(gan.generate(4, seed=1))
    checks = dict(
        finite_losses=all(math.isfinite(value) for value in losses.values()),
        image_shape=list(images.shape[1:]) == list(spec.shape) if model != "texture" else images.ndim == 4,
        in_range=bool(np.all(np.abs(images) <= 1.0 + 1e-5)),
    )
    devices = sorted({where(v) for v in gan.generator.weights + gan.discriminator.weights})
    return dict(model=model, dataset=dataset, size=size, options=options, batch_size=recipe.batch_size,
                seconds_per_step=round(seconds, 4), devices=devices, losses=losses, checks=checks,
                ok=all(checks.values()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per recipe (default 20)")
    parser.add_argument("--only", nargs="*", help="models to run (default: all cases)")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")

    import keras

    from ganlab import book

    print(f"{book.machine()}; Keras {keras.__version__}", flush=True)
    results, failed = [], 0
    for model, dataset, size, options in CASES:
        if args.only and model not in args.only:
            continue
        label = f"{model} on {dataset}" + (f" {size}px" if size else "") + (f" {options}" if options else "")
        try:
            result = run_case(model, dataset, size, options, args.steps)
        except Exception as error:  # report and go on: one failing recipe should not hide the others
            result = dict(model=model, dataset=dataset, size=size, options=options, ok=False,
                          error=f"{type(error).__name__}: {error}"[:500])
        results.append(result)
        failed += not result["ok"]
        if "error" in result:
            print(f"FAIL {label}: {result['error']}", flush=True)
        else:
            print(f"{'ok  ' if result['ok'] else 'FAIL'} {label}: {1000 * result['seconds_per_step']:.1f} ms a step "
                  f"of {result['batch_size']}, weights on {', '.join(result['devices'])}, "
                  f"checks {result['checks']}", flush=True)
    if args.out:
        with open(args.out, "w") as file:
            json.dump(dict(machine=book.machine(), backend=keras.backend.backend(),
                           keras=keras.__version__, results=results), file, indent=1)
    print(f"{len(results) - failed} of {len(results)} recipes passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
