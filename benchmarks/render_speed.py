"""Seconds to render one CPPN picture at 1024 x 1024 (and other sizes) on this machine's CPU.

The target is at most 5 seconds for 1024 x 1024 with the default CPPN
(``ganlab.cppn.cppn_generator()``, hidden width 64, four layers). Rendering
does not depend on training, so by default the benchmark uses fresh weights;
``--run RUN_DIR`` times a trained CPPN run instead.

    python benchmarks/render_speed.py
    python benchmarks/render_speed.py --sizes 512 1024 2048 --repeats 5 --run runs/cppn

Prints one markdown table: size, the first render (building the strip models
and TensorFlow's kernels included), the median wall-clock time of the next
``--repeats``, and their median CPU time (all threads of this process). On a
machine shared with other jobs the wall-clock time grows with the load while
the CPU time does not: CPU time / cores is what an idle machine would take.
Exits with code 1 if the median wall-clock time at 1024 is over ``--limit`` seconds.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--run", help="a CPPN run directory (default: a fresh cppn_generator())")
    parser.add_argument("--limit", type=float, default=5.0, help="seconds allowed at 1024 x 1024")
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    from ganlab import cppn, latent, models

    generator = models.load_generator(args.run) if args.run else cppn.cppn_generator()
    z = latent.seed_latents([0], int(generator.inputs[0].shape[-1]))[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CPPN: {generator.count_params():,} parameters; load average {load:.1f}; TensorFlow {tf.__version__}, "
          f"{os.cpu_count()} CPUs visible, intra-op threads {tf.config.threading.get_intra_op_parallelism_threads()}")
    print(f"| size | first render (s) | median of next {args.repeats} (s) | CPU time (s) |")
    print("|---:|---:|---:|---:|")
    median_1024 = None
    for size in args.sizes:
        start = time.perf_counter()
        picture = cppn.render_cppn(generator, z, size=size)
        first = time.perf_counter() - start
        times, cpu_times = [], []
        for _ in range(args.repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            cppn.render_cppn(generator, z, size=size)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
        median = statistics.median(times) if times else first
        cpu = statistics.median(cpu_times) if cpu_times else float("nan")
        assert picture.shape == (size, size, 1) and np.all(np.isfinite(picture))
        print(f"| {size} | {first:.2f} | {median:.2f} | {cpu:.2f} |", flush=True)
        if size == 1024:
            median_1024 = median
    if median_1024 is not None:
        verdict = "within" if median_1024 <= args.limit else "OVER"
        print(f"1024 x 1024: {median_1024:.2f} s, {verdict} the {args.limit:g} s target")
        return 0 if median_1024 <= args.limit else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
