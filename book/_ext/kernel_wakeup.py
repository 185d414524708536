"""Wait for a notebook kernel's messages in slices of a second, so that a missed wake-up costs a second, not the build.

The fault (issue 16, caught in stop 15): a fast build under pytest (nbmake) sat with the kernel idle and
nbclient still awaiting a cell's ``execute_reply``. The reply had arrived: the client's shell socket
reported it (``ZMQ_EVENTS`` had ``POLLIN``) while the asyncio poll that nbclient awaited, through
``jupyter_client``'s ``AsyncZMQSocketChannel.get_msg(timeout)``, never woke. ZeroMQ signals new messages
on an edge-triggered file descriptor, and that one edge had been consumed without waking the poll.
Making the stuck process read its socket's events once (gdb, ``_handle_events``) delivered the reply at
once and the notebook passed. A poll that starts afresh reads the socket's events before it waits
(pyzmq's ``_add_recv_event``), so waiting in slices of :data:`SLICE` seconds picks up such a message
within a slice. :func:`install` does that for every asynchronous kernel client in this process: the
test runner's (the root ``conftest.py``) and the book build's (``book/_ext/ganlab_book.py``).
"""

import time
from queue import Empty

SLICE = 1.0  # seconds of one poll


def install():
    """Make ``AsyncZMQSocketChannel.get_msg(timeout)`` poll in slices of ``SLICE`` seconds (once per process)."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    if getattr(AsyncZMQSocketChannel.get_msg, "sliced", False):
        return
    whole = AsyncZMQSocketChannel.get_msg

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if left is not None and left <= SLICE:
                return await whole(self, left)
            try:
                return await whole(self, SLICE)
            except Empty:
                continue

    get_msg.sliced = True
    get_msg.__doc__ = whole.__doc__
    AsyncZMQSocketChannel.get_msg = get_msg
