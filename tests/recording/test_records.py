"""Every way the recorder makes a record gives a whole one (its fast paths build the tuples by hand)."""

from __future__ import annotations

from htmxws_nb.app import HandlerError
from htmxws_nb.recording import Record, Recorder


def test_every_record_has_every_field() -> None:
    recorder = Recorder()
    recorder.add("c1", "/ws", "open", "python", peer="127.0.0.1:1", client="abc")
    recorder.frame("c1", "/ws", "in", '{"msg": "hi"}')
    recorder.dispatched("c1", "/ws", 2, "ws", 1, recorder.now(), "ok", 1)
    recorder.frame("c1", "/ws", "out", "<p>hi</p>", cause=2)
    recorder.published("chat", 9, 3, "here", 2)
    try:
        raise ValueError("x")
    except ValueError as exc:
        recorder.add_error(HandlerError.capture("websocket /ws: ws", exc, "c1"))
    records = recorder.records()
    assert [r.kind for r in records] == ["open", "in", "dispatch", "out", "publish", "error"]
    for record in records:
        assert len(record) == len(Record._fields), record
        assert record._asdict().keys() == set(Record._fields)
    publish = records[4]
    assert (publish.text, publish.size, publish.queued, publish.by, publish.cause) == ("chat", 9, 3, "here", 2)
