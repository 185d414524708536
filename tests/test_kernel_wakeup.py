"""The notebook clients' sliced wait for kernel messages (book/_ext/kernel_wakeup.py, issue 16)."""

import asyncio
from queue import Empty

import kernel_wakeup  # on sys.path through the root conftest.py
from jupyter_client.channels import AsyncZMQSocketChannel


def test_the_clients_of_this_run_wait_in_slices():
    assert AsyncZMQSocketChannel.get_msg.sliced  # installed by the root conftest.py, before nbmake's clients run


def _wait(coroutine):
    """Run ``coroutine``; a wait not cut into slices would sleep for its whole timeout: fail after 5 s instead."""
    return asyncio.run(asyncio.wait_for(coroutine, 5))


def _poll_that_misses(monkeypatch, misses):
    """Stand in for jupyter_client's get_msg: the first ``misses`` polls time out although the message is there
    (the lost wake-up), the next one returns it. Returns the list of timeouts the polls were given."""
    timeouts = []

    async def whole(self, timeout=None):
        timeouts.append(timeout)
        if len(timeouts) <= misses:
            await asyncio.sleep(timeout)
            raise Empty
        return {"msg_type": "execute_reply"}

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", whole)
    monkeypatch.setattr(kernel_wakeup, "SLICE", 0.01)
    kernel_wakeup.install()
    return timeouts


def test_a_missed_wake_up_costs_one_slice_not_the_whole_timeout(monkeypatch):
    timeouts = _poll_that_misses(monkeypatch, misses=2)
    reply = _wait(AsyncZMQSocketChannel.get_msg(None, timeout=600))
    assert reply == {"msg_type": "execute_reply"}
    assert timeouts == [0.01, 0.01, 0.01]  # three polls of one slice each, not one of 600 s


def test_no_timeout_waits_in_slices_and_a_timeout_still_ends_in_empty(monkeypatch):
    timeouts = _poll_that_misses(monkeypatch, misses=3)
    assert _wait(AsyncZMQSocketChannel.get_msg(None)) == {"msg_type": "execute_reply"}
    assert timeouts == [0.01] * 4
    timeouts = _poll_that_misses(monkeypatch, misses=10**6)
    try:
        _wait(AsyncZMQSocketChannel.get_msg(None, timeout=0.035))
    except Empty:
        pass
    else:
        raise AssertionError("a wait that outlasts its timeout must raise Empty, as jupyter_client's does")
    assert 3 <= len(timeouts) <= 5 and max(timeouts) <= 0.01 and timeouts[-1] <= 0.01
