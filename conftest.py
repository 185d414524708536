"""Set-up for every test run from the repository root, the notebooks (nbmake) included.

nbmake's notebook clients run in the pytest process; ``kernel_wakeup`` makes them wait for their
kernels' messages in slices of a second, so that a reply whose wake-up they missed does not hang the
run (issue 16; book/_ext/kernel_wakeup.py says what was caught).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "book" / "_ext"))

import kernel_wakeup  # noqa: E402

kernel_wakeup.install()
