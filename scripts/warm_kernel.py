"""Start one Jupyter kernel, import what the chapters import, and shut it down.

`make test` runs this before the test suite, so that the first kernel a test starts is not
the first the environment has ever started (byte-code compilation, matplotlib's font cache).
On the 2-core CI machine the very first kernel of a fresh environment has repeatedly sat idle
without answering (see the README); this is a guess at the cause, and harmless if it is wrong.
"""

import sys

from jupyter_client.manager import start_new_kernel


def main():
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        reply = client.execute_interactive("import ganlab, matplotlib.pyplot, keras", timeout=240)
        status = reply["content"]["status"]
        print(f"warm_kernel: first kernel started and imported ganlab ({status})")
        return 0 if status == "ok" else 1
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    sys.exit(main())
