"""Start many notebook kernels as nbmake does (nbclient), each running two cells, and count the ones that fail.

    python scripts/kernel_starts.py N [--fresh-home] [--load K]

A hunt for the kernel that never answers its first request (issue 16; `make test` starts one with
scripts/warm_kernel.py and reruns a failed notebook twice because of it). Each kernel runs the imports a
chapter starts with (TensorFlow through Keras) and then one more cell, with nbclient's timeouts at 120 s;
a kernel that never answers shows as a timeout. --fresh-home gives every kernel an empty HOME (no IPython
profile, no matplotlib font cache), as on a fresh CI machine; --load K runs K busy processes beside the
kernels (the CI machine has 2 cores, shared with the build). Prints one line per kernel and a summary.
"""
import argparse
import multiprocessing
import os
import tempfile
import time

import nbformat
from nbclient import NotebookClient


def burn():
    while True:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="kernels to start, one after the other")
    parser.add_argument("--fresh-home", action="store_true", help="an empty HOME for every kernel")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the kernels")
    args = parser.parse_args(argv)
    n, fresh, load = args.n, args.fresh_home, args.load
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(load)]
    for p in burners:
        p.start()
    outcomes = []
    try:
        for i in range(n):
            if fresh:
                os.environ["HOME"] = tempfile.mkdtemp(prefix="khome_")
                os.environ.pop("MPLCONFIGDIR", None)
            nb = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell("import ganlab, matplotlib.pyplot as plt, keras\nfrom ganlab import training\nprint('ok')"),
                       nbformat.v4.new_code_cell("print(2)")],
                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
            start = time.time()
            client = NotebookClient(nb, timeout=120, startup_timeout=120, kernel_name="python3")
            try:
                client.execute()
                status = "ok"
            except Exception as error:  # a timeout is what a hang looks like
                status = f"{type(error).__name__}: {str(error)[:160]!r}"
            outcomes.append((status, time.time() - start))
            print(f"{i:3d} {status:>4s} {time.time() - start:6.1f} s", flush=True)
    finally:
        for p in burners:
            p.terminate()
    bad = [o for o in outcomes if o[0] != "ok"]
    times = sorted(t for s, t in outcomes if s == "ok")
    print(f"{len(outcomes)} kernels, {len(bad)} failed; fresh HOME {fresh}, load {load}; "
          f"seconds median {times[len(times) // 2] if times else float('nan'):.1f}, max {max(times) if times else float('nan'):.1f}")


if __name__ == "__main__":
    main()
