"""Seconds per chapter, executed as the book build executes them.

Runs every notebook listed in ``_toc.yml`` (or those named) with nbclient, in
fast mode (``GANLAB_FAST=1``) and/or at full settings, each in a fresh kernel
and a scratch copy, and prints a markdown table for the README.

    python benchmarks/book_timing.py --mode fast
    python benchmarks/book_timing.py --mode full --chapters book/05_dcgan.ipynb
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def toc_notebooks():
    text = (ROOT / "_toc.yml").read_text()
    names = re.findall(r"file:\s*(\S+)", text)
    return [ROOT / f"{name}.ipynb" for name in names if (ROOT / f"{name}.ipynb").is_file()]


_EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=int(sys.argv[2]), kernel_name="python3",
               resources={"metadata": {"path": sys.argv[3]}}).execute()
"""


def run(notebook, fast, timeout):
    """Execute ``notebook`` in a fresh kernel (in its own directory); return (seconds, ok, stderr tail)."""
    env = dict(os.environ)
    env.pop("GANLAB_FAST", None)
    if fast:
        env["GANLAB_FAST"] = "1"
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _EXECUTE, str(notebook), str(timeout), str(notebook.parent)],
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, result.returncode == 0, result.stderr[-500:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["fast", "full", "both"], default="fast")
    parser.add_argument("--chapters", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=3600)
    args = parser.parse_args()
    notebooks = [p.resolve() for p in args.chapters] if args.chapters else toc_notebooks()
    modes = ["fast", "full"] if args.mode == "both" else [args.mode]
    print(f"{os.cpu_count()} CPUs; seconds per chapter (fresh kernel each)\n")
    print("| chapter | " + " | ".join(f"{m} (s)" for m in modes) + " |")
    print("|---|" + "---|" * len(modes))
    totals = dict.fromkeys(modes, 0.0)
    for notebook in notebooks:
        cells = []
        for mode in modes:
            seconds, ok, err = run(notebook, mode == "fast", args.timeout)
            totals[mode] += seconds
            cells.append(f"{seconds:.0f}" + ("" if ok else " FAILED"))
            if not ok:
                print(f"<!-- {notebook.name} ({mode}) failed: {err} -->", file=sys.stderr)
        print(f"| {notebook.stem} | " + " | ".join(cells) + " |", flush=True)
    print("| **total** | " + " | ".join(f"{totals[m]:.0f}" for m in modes) + " |")


if __name__ == "__main__":
    main()
