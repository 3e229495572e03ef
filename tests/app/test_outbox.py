"""The outbox against a fake ASGI send whose socket can be made to block, as uvicorn's does
when a client stops reading. No server, no timing: each step is driven by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from htmxws_nb.app.websocket.host import SocketLimits
from htmxws_nb.app.websocket.outbox import Outbox


class FakeSend:
    """An ASGI send that writes at once while `writable` is set, else waits, as uvicorn's websocket send does."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.writable = asyncio.Event()
        self.writable.set()
        self.gone = False

    async def __call__(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if self.gone:
            raise OSError("client disconnected")
        self.sent.append(message.get("text", message["type"]))


def frame(text: str) -> dict[str, Any]:
    return {"type": "websocket.send", "text": text}


def run(scenario: Callable[[FakeSend, Outbox, list[str]], Coroutine[Any, Any, None]], **limits: Any) -> None:
    async def main() -> None:
        send, cuts = FakeSend(), []
        outbox = Outbox(send, SocketLimits(**limits), lambda: cuts.append("cut"))
        await scenario(send, outbox, cuts)

    asyncio.run(main())


async def settle() -> None:
    """Let every ready task run until nothing is left to do."""
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_frame_the_socket_can_take_is_written_at_once_without_a_writer() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        assert outbox.put(frame("a")) is True
        assert send.sent == ["a"], "written before put() returned"
        assert not outbox.writing and outbox.unwritten == 0

    run(scenario)


def test_a_blocked_socket_hands_the_started_send_to_a_writer_and_keeps_order() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.writable.clear()
        for text in ("a", "b", "c"):
            assert outbox.put(frame(text)) is True
        assert send.sent == [] and outbox.writing and outbox.unwritten == 3
        await settle()
        assert outbox.stalled_since is not None, "the writer waits for the client"
        send.writable.set()
        await settle()
        assert send.sent == ["a", "b", "c"]
        assert not outbox.writing and outbox.unwritten == 0 and outbox.stalled_since is None
        outbox.put(frame("d"))
        assert send.sent[-1] == "d", "back to writing at once"

    run(scenario)


def test_overflowing_only_when_full_and_the_client_is_not_reading() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        for i in range(10):
            outbox.put(frame(str(i)))
        assert not outbox.overflowing, "a burst the socket takes is no overflow"
        send.writable.clear()
        for i in range(3):
            outbox.put(frame(f"q{i}"))
        await settle()
        assert outbox.unwritten == 3 and outbox.overflowing

    run(scenario, max_queue=3)


def test_a_reader_waits_while_its_client_lags_and_goes_on_once_it_caught_up() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.writable.clear()
        for i in range(5):
            outbox.put(frame(str(i)))
        reader = asyncio.ensure_future(outbox.lagging())
        await settle()
        assert not reader.done(), "5 unwritten of at most 8: the reader waits"
        send.writable.set()
        await settle()
        assert reader.done() and send.sent == [str(i) for i in range(5)]
        assert (await asyncio.wait_for(outbox.lagging(), 1)) is None, "no lag, no wait"

    run(scenario, max_queue=8)


def test_drop_forgets_the_queue_stops_the_writer_and_frees_the_reader() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.writable.clear()
        for i in range(4):
            outbox.put(frame(str(i)))
        reader = asyncio.ensure_future(outbox.lagging())
        await settle()
        outbox.drop()
        await settle()
        assert reader.done() and not outbox.writing
        send.writable.set()
        await settle()
        assert send.sent == [], "nothing dropped was written"

    run(scenario, max_queue=4)


def test_close_goes_out_after_what_was_queued() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.writable.clear()
        outbox.put(frame("last words"))
        outbox.put_close(1000, "bye")
        send.writable.set()
        await settle()
        assert send.sent == ["last words", "websocket.close"] and cuts == []

    run(scenario)


def test_a_client_that_cannot_take_the_close_frame_is_cut() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.writable.clear()
        await asyncio.wait_for(outbox.goodbye(1013, "too slow"), 5)
        assert cuts == ["cut"] and send.sent == []

    run(scenario, close_timeout=0.05)


def test_a_client_that_is_gone_is_reported_not_raised() -> None:
    async def scenario(send: FakeSend, outbox: Outbox, cuts: list[str]) -> None:
        send.gone = True
        assert outbox.put(frame("a")) is False
        send.writable.clear()
        assert outbox.put(frame("b")) is True, "queued: the writer learns later"
        send.writable.set()
        await settle()
        assert not outbox.writing, "the writer ended quietly"

    run(scenario)
