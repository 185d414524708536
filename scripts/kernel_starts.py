"""Start many notebook kernels as nbmake does (nbclient), each running two cells, and count the ones that fail.

    python scripts/kernel_starts.py N [--fresh-home] [--load K]

A hunt for the kernel that never answers its first request (issue 16; 70 starts in stop 14 found none: the
hang caught in stop 15 was a reply the client's poll missed, see book/_ext/kernel_wakeup.py). Each kernel runs the imports a
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


CHAPTER_IMPORTS = "import ganlab, matplotlib.pyplot as plt, keras\nfrom ganlab import training\nprint('ok')"


def burn():
    while True:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="kernels to start, one after the other")
    parser.add_argument("--fresh-home", action="store_true", help="an empty HOME for every kernel")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the kernels")
    args = parser.parse_args(argv)
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.load)]
    for p in burners:
        p.start()
    outcomes = []
    try:
        for i in range(args.n):
            if args.fresh_home:
                os.environ["HOME"] = tempfile.mkdtemp(prefix="khome_")
                os.environ.pop("MPLCONFIGDIR", None)
            nb = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(CHAPTER_IMPORTS), nbformat.v4.new_code_cell("print(2)")],
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
    median, slowest = (times[len(times) // 2], times[-1]) if times else (float("nan"), float("nan"))
    print(f"{len(outcomes)} kernels, {len(bad)} failed; fresh HOME {args.fresh_home}, load {args.load}; "
          f"seconds median {median:.1f}, max {slowest:.1f}")


if __name__ == "__main__":
    main()
