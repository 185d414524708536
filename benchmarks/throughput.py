"""Training throughput: ``GAN.fit`` against a minimal hand-written ``tf.function`` loop, or across Keras backends.

Both train the same models with the same optimizers, loss and batches; the two
are run alternately in one process (``--rounds`` times each) so that machine
noise hits both alike. Prints images per second and the ratio fit / loop
(the abstraction must cost nothing measurable: ratio >= 0.95).

    python benchmarks/throughput.py [--rounds 3] [--batches 100] [--batch-size 64] [--steps-per-execution 1] [--no-remapping]

With ``--backends``, ``GAN.fit`` of the "mlp" and "dcgan" recipes (``recipes.build_gan``, MNIST
through tf.data) runs on each Keras backend in turn, each in its own Python process, and the images
per second are printed side by side with each backend's rate over the fastest's:

    python benchmarks/throughput.py --backends [tensorflow jax torch] [--rounds 2] [--batches 50] [--torch-threads 1]
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganlab  # noqa: E402
from ganlab import losses, models  # noqa: E402
from ganlab.backends import BACKENDS  # noqa: E402

PAIRS = {
    "dcgan": (models.dcgan_generator, models.dcgan_discriminator),
    "mlp": (models.mlp_generator, models.mlp_discriminator),
}


def make_pair(name):
    keras.utils.set_random_seed(0)
    build_g, build_d = PAIRS[name]
    optimizer = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731
    return build_g(), build_d(), optimizer(), optimizer()


def fit_round(name, dataset, batches, steps_per_execution=1):
    generator, discriminator, d_opt, g_opt = make_pair(name)
    gan = ganlab.GAN(generator, discriminator, seed=0)
    gan.compile(d_opt, g_opt, loss="non_saturating", steps_per_execution=steps_per_execution)
    gan.fit(dataset.take(3), epochs=1, verbose=0)  # trace and warm up
    start = time.perf_counter()
    gan.fit(dataset.take(batches), epochs=1, verbose=0)
    return time.perf_counter() - start


def loop_round(name, dataset, batches):
    import tensorflow as tf

    generator, discriminator, d_opt, g_opt = make_pair(name)
    latent_dim = generator.inputs[0].shape[-1]

    @tf.function
    def train_step(real):
        batch_size = tf.shape(real)[0]
        z = tf.random.normal((batch_size, latent_dim))
        fake = generator(z, training=True)
        with tf.GradientTape() as tape:
            d_loss = losses.non_saturating_discriminator_loss(discriminator(real, training=True),
                                                              discriminator(fake, training=True))
        d_opt.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        z = tf.random.normal((batch_size, latent_dim))
        with tf.GradientTape() as tape:
            g_loss = losses.non_saturating_generator_loss(discriminator(generator(z, training=True), training=True))
        g_opt.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
        return d_loss, g_loss

    for real in dataset.take(3):  # trace and warm up
        train_step(real)
    start = time.perf_counter()
    for real in dataset.take(batches):
        d_loss, g_loss = train_step(real)
    float(d_loss)  # wait for the last step
    return time.perf_counter() - start


def recipe_rate(name, dataset, batches, rounds):
    """Images per second of ``GAN.fit`` on the recipe ``name`` (median of ``rounds``), on the running backend."""
    from ganlab import recipes

    times = []
    for _ in range(rounds):
        gan = recipes.build_gan(name, "mnist", seed=0)
        gan.fit(dataset.take(3), epochs=1, verbose=0)  # trace / compile and warm up
        start = time.perf_counter()
        gan.fit(dataset.take(batches), epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    return batches * recipes.RECIPES[name].batch_size / statistics.median(times)


def worker(args):
    """One backend's rates, printed as one JSON line (``--worker``)."""
    from ganlab import recipes

    rates = {}
    for name in args.models:
        batch_size = recipes.RECIPES[name].batch_size
        images, _ = ganlab.load_mnist(limit=args.batches * batch_size)
        dataset = ganlab.make_dataset(images, batch_size=batch_size, seed=0).repeat()
        rates[name] = recipe_rate(name, dataset, args.batches, args.rounds)
    print(json.dumps(dict(backend=keras.backend.backend(), rates=rates)))


def installed(backend):
    """True if ganlab has a module for ``backend`` and its library is installed."""
    library = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend]
    return (importlib.util.find_spec(f"ganlab.backends.{backend}") is not None
            and importlib.util.find_spec(library) is not None)


def compare_backends(args):
    """Run :func:`worker` on each backend in its own process; print the rates side by side."""
    rows = {}
    for backend in args.backends:
        if not installed(backend):
            rows[backend] = "not yet"
            continue
        env = dict(os.environ, KERAS_BACKEND=backend)
        if backend == "torch" and args.torch_threads:
            env["OMP_NUM_THREADS"] = str(args.torch_threads)
        command = [sys.executable, __file__, "--worker", "--rounds", str(args.rounds), "--batches", str(args.batches),
                   "--models", *args.models]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{backend} failed:\n{result.stderr[-3000:]}")
        rows[backend] = json.loads(result.stdout.strip().splitlines()[-1])["rates"]
    print(f"GAN.fit of the recipes on MNIST (tf.data input), {args.batches} batches after 3 warm-up batches, "
          f"median of {args.rounds} round(s), Keras {keras.__version__}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}" + (f", torch with {args.torch_threads} thread(s)" if args.torch_threads else ""))
    print(f"{'model':<8}" + "".join(f"{backend + ' img/s':>18}" for backend in args.backends)
          + "".join(f"{backend + '/best':>16}" for backend in args.backends))
    for name in args.models:
        rates = {b: row[name] for b, row in rows.items() if isinstance(row, dict)}
        best = max(rates.values())
        cells = [f"{rates[b]:>18.0f}" if b in rates else f"{'not yet':>18}" for b in args.backends]
        ratios = [f"{rates[b] / best:>16.2f}" if b in rates else f"{'-':>16}" for b in args.backends]
        print(f"{name:<8}" + "".join(cells) + "".join(ratios))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--models", nargs="+", default=list(PAIRS), choices=list(PAIRS))
    parser.add_argument("--steps-per-execution", type=int, default=1,
                        help="GAN.compile's steps_per_execution (training steps per call of the compiled "
                             "function; fewer Python round trips)")
    parser.add_argument("--no-remapping", action="store_true",
                        help="turn off TensorFlow's grappler remapper (the op fusions whose failure on "
                             "LeakyReLU gradients logs 'remapper failed'), to measure what it is worth")
    parser.add_argument("--backends", nargs="*", choices=BACKENDS,
                        help="compare GAN.fit of the recipes across these Keras backends (none named: all)")
    parser.add_argument("--torch-threads", type=int, help="with --backends: OMP_NUM_THREADS of the torch process")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.backends is not None:
        args.backends = args.backends or list(BACKENDS)
        return compare_backends(args)
    import tensorflow as tf

    if args.no_remapping:
        tf.config.optimizer.set_experimental_options({"remapping": False})

    images, _ = ganlab.load_mnist(limit=args.batches * args.batch_size)
    dataset = ganlab.make_dataset(images, batch_size=args.batch_size, seed=0).repeat()
    n_images = args.batches * args.batch_size
    print(f"{args.batches} batches of {args.batch_size}, {args.rounds} alternating rounds, "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs"
          + (", grappler remapper off" if args.no_remapping else "")
          + (f", GAN.fit with steps_per_execution={args.steps_per_execution}" if args.steps_per_execution > 1 else ""))
    print(f"{'model':<8}{'GAN.fit img/s':>15}{'tf.function img/s':>20}{'ratio':>8}")
    for name in args.models:
        fit_times, loop_times = [], []
        for _ in range(args.rounds):
            fit_times.append(fit_round(name, dataset, args.batches, args.steps_per_execution))
            loop_times.append(loop_round(name, dataset, args.batches))
        fit_rate = n_images / statistics.median(fit_times)
        loop_rate = n_images / statistics.median(loop_times)
        print(f"{name:<8}{fit_rate:>15.0f}{loop_rate:>20.0f}{fit_rate / loop_rate:>8.3f}")


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
