"""Batches per second of random crops: ``ganlab.datasets.image_crops`` (tf.data) and the crop function alone.

    python benchmarks/crop_speed.py
    python benchmarks/crop_speed.py --source path/to/folder --size 128 --batches 200 --rounds 5

The input pipeline must not be the bottleneck of a small GAN on 2 CPU cores.
Prints one markdown table: for each round, batches per second through the
``tf.data.Dataset`` (prefetched; the first batch, which decodes the images, is
not timed), of ``CropSampler.sample`` alone in this thread, and the CPU time
per batch of the latter (which grows less than wall-clock time with the load
of a shared machine). Reports the machine's load average beside it.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="paintings")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    import numpy as np

    from ganlab import datasets

    dataset = datasets.image_crops(args.source, args.size, batch_size=args.batch_size, labels=True, seed=0)
    sampler = datasets.CropSampler(args.source, args.size)
    rng = np.random.default_rng(0)
    iterator = iter(dataset)
    next(iterator)
    sampler.sample(args.batch_size, rng)
    print(f"source {args.source!r}, {args.batch_size} crops of {args.size} x {args.size} per batch, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("| round | tf.data batches/s | crop function batches/s | CPU ms per batch |")
    print("|---|---|---|---|")
    pipeline, alone = [], []
    for round_ in range(1, args.rounds + 1):
        start = time.perf_counter()
        for _ in range(args.batches):
            next(iterator)
        pipeline.append(args.batches / (time.perf_counter() - start))
        start, cpu = time.perf_counter(), time.thread_time()
        for _ in range(args.batches):
            sampler.sample(args.batch_size, rng)
        alone.append(args.batches / (time.perf_counter() - start))
        cpu_ms = 1e3 * (time.thread_time() - cpu) / args.batches
        print(f"| {round_} | {pipeline[-1]:.1f} | {alone[-1]:.1f} | {cpu_ms:.1f} |")
    print(f"| median | {statistics.median(pipeline):.1f} | {statistics.median(alone):.1f} | |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
