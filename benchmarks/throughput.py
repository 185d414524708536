"""Training throughput: ``GAN.fit`` against a minimal hand-written ``tf.function`` loop.

Both train the same models with the same optimizers, loss and batches; the two
are run alternately in one process (``--rounds`` times each) so that machine
noise hits both alike. Prints images per second and the ratio fit / loop
(the abstraction must cost nothing measurable: ratio >= 0.95).

    python benchmarks/throughput.py [--rounds 3] [--batches 100] [--batch-size 64] [--steps-per-execution 1] [--no-remapping]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import ganlab  # noqa: E402
from ganlab import losses, models, training  # noqa: E402

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
    args = parser.parse_args()
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
