"""The serving layer's checks on their own: frames, the viewer book, logs, the kernel's ceiling.

The same checks are exercised against a real server in test_abuse.py; here each rule is
pinned down one case at a time, in milliseconds (the kernel test starts one real kernel).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

from bench.abuse import message, v1_frame, v1_message, widget_open
from kursk.paths import JUPYTER_DATA
from kursk.serve.frames import MAX_DROPPED, V1, FrameError, FrameGuard, parse_v1
from kursk.serve.limits import ViewerBook, client_key
from kursk.serve.logs import LIMIT, Summary, cut

CONTROL = {"comm_id": "c", "target_name": "jupyter.widget.control", "data": {}}
CONTROL_META = {"version": "1.0.0"}
UPDATE = {"comm_id": "w", "data": {"method": "update", "state": {"index": [0]}}}


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def guard(clock=None) -> FrameGuard:
    return FrameGuard(rate=20, burst=100, comm_opens=4, clock=clock or Clock())


def test_the_pages_own_messages_pass_in_both_protocols():
    g = guard()
    for msg_type, content in [
        ("kernel_info_request", {}),
        ("comm_open", CONTROL),
        ("comm_msg", {"comm_id": "c", "data": {"method": "request_states"}}),
        ("comm_msg", UPDATE),
        ("comm_msg", {"comm_id": "w", "data": {"method": "custom", "content": {}}}),
        ("comm_close", {"comm_id": "c", "data": {}}),
    ]:
        assert g.check(v1_message(msg_type, content, CONTROL_META), V1) == msg_type
        assert g.check(json.dumps(message(msg_type, content, CONTROL_META)), None) == msg_type


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        (10**7).to_bytes(8, "little"),  # the freeze: checked before anything is built
        (2**64 - 1).to_bytes(8, "little"),
        (7).to_bytes(8, "little") + b"\0" * 16,  # shorter than its offset table
        v1_frame("shell", [b"{}"] * 4)[:-1],  # offsets past the end
        (6).to_bytes(8, "little")
        + b"".join(o.to_bytes(8, "little") for o in (56, 60, 58, 60, 60, 60))
        + b"abcd",  # offsets going backwards
    ],
    ids=["empty", "count-1e7", "count-2^64", "short-table", "past-end", "backwards"],
)
def test_malformed_v1_frames_are_refused_in_constant_time(frame):
    started = time.perf_counter()
    with pytest.raises(FrameError) as info:
        parse_v1(frame)
    assert info.value.fatal
    assert time.perf_counter() - started < 0.01


@pytest.mark.parametrize(
    "message_, subprotocol",
    [
        ((10**7).to_bytes(4, "big") + b"\0" * 4, None),  # legacy binary: the struct cache
        ("[1, 2]", None),
        ('{"header": "x", "content": {}}', None),
        (json.dumps({**message("comm_msg", UPDATE), "buffers": ["x"]}), None),
        (json.dumps(message("kernel_info_request", {})), V1),  # text on v1
        (v1_message("comm_msg", UPDATE, channel="iopub"), V1),
        (v1_frame("shell", [b"[", b"{}", b"{}", b"{}"]), V1),
        (v1_frame("shell", [b"{}", b"{}", b"x" * 40_000, b"{}"]), V1),  # 40 KB metadata
    ],
    ids=[
        "legacy-binary",
        "not-object",
        "header-str",
        "buffers",
        "text-on-v1",
        "channel",
        "bad-json",
        "big-part",
    ],
)
def test_messages_of_the_wrong_shape_close_the_socket(message_, subprotocol):
    with pytest.raises(FrameError) as info:
        guard().check(message_, subprotocol)
    assert info.value.fatal


@pytest.mark.parametrize(
    "msg_type, content",
    [
        ("execute_request", {"code": "import os"}),
        ("shutdown_request", {"restart": False}),
        ("comm_open", widget_open("x")),  # would create a widget in the kernel
        ("comm_open", {**CONTROL, "target_name": "os.system"}),
        ("comm_open", CONTROL),  # without the control protocol's version: the kernel raises
        ("comm_msg", {"comm_id": "w", "data": {"method": "explode"}}),
        ("comm_msg", {"comm_id": "w", "data": {}}),
    ],
    ids=["execute", "shutdown", "widget", "target", "version", "method", "no-method"],
)
def test_messages_the_page_never_sends_are_dropped_then_the_socket_closed(msg_type, content):
    g = guard()
    for _ in range(MAX_DROPPED - 1):
        with pytest.raises(FrameError) as info:
            g.check(v1_message(msg_type, content), V1)
        assert not info.value.fatal  # dropped; the page's own messages still pass
    assert g.check(v1_message("comm_msg", UPDATE), V1) == "comm_msg"
    with pytest.raises(FrameError) as info:
        g.check(v1_message(msg_type, content), V1)
    assert info.value.fatal


def test_a_burst_beyond_the_rate_closes_the_socket_and_a_steady_pace_does_not():
    clock = Clock()
    g = guard(clock)
    for _ in range(100):
        g.check(v1_message("comm_msg", UPDATE), V1)
    with pytest.raises(FrameError, match="message rate"):
        g.check(v1_message("comm_msg", UPDATE), V1)
    steady = guard(clock)
    for _ in range(1000):  # 20 a second for 50 s
        clock.now += 0.05
        steady.check(v1_message("comm_msg", UPDATE), V1)


def test_comm_opens_and_state_requests_are_counted():
    g = guard()
    for _ in range(4):
        g.check(v1_message("comm_open", CONTROL, CONTROL_META), V1)
    with pytest.raises(FrameError, match="too many comm_open"):
        g.check(v1_message("comm_open", CONTROL, CONTROL_META), V1)
    g = guard()
    states = {"comm_id": "c", "data": {"method": "request_states"}}
    for _ in range(3):
        g.check(v1_message("comm_msg", states), V1)
    with pytest.raises(FrameError, match="request_states"):
        g.check(v1_message("comm_msg", states), V1)


def test_the_book_limits_clients_and_reclaims_what_pages_do_not_use(monkeypatch):
    book = ViewerBook(cap=10, per_client=3, unconnected_per_client=2)
    assert book.admit([], "a") is None and book.admit([], "a") is None
    assert book.admit([], "a") == "client"  # two pages of a not connected yet
    assert book.admit([], "b") is None  # another reader is not affected
    book.bind("k1", "a")
    book.bind("k2", "a")
    book.bind("k3", "b")
    assert book.open_socket("k1", "a", per_kernel=2, per_client=16) is None
    assert book.open_socket("k1", "a", 2, 16) is None
    assert book.open_socket("k1", "a", 2, 16) == (429, "websockets per kernel")
    assert book.open_socket("pool", "a", 2, 16) == (404, "not a viewer kernel")
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    book.page_sent("k2")
    book.page_sent("k3")
    book.close_socket("k1", "a")
    book.close_socket("k1", "a")
    now[0] += 31
    assert book.expired(connect_grace=30, leave_grace=120) == [
        ("k2", "its page never connected"),
        ("k3", "its page never connected"),
    ]
    now[0] += 100
    assert ("k1", "its page left") in book.expired(30, 120)
    book.prune(["k1"])  # k2 and k3 were shut down
    assert book.in_use(["k1"]) == 1 and not book.client_sockets


def test_the_client_is_the_proxys_x_real_ip_only_when_the_proxy_is_trusted():
    class Request:
        def __init__(self, peer, real):
            self.remote_ip, self.headers = peer, {"X-Real-IP": real}

    trusted = {"127.0.0.1"}
    assert client_key(Request("127.0.0.1", "198.51.100.7"), trusted) == "198.51.100.7"
    assert client_key(Request("192.0.2.9", "198.51.100.7"), trusted) == "192.0.2.9"


def test_long_log_lines_are_cut_and_repeats_summarised(caplog):
    text = "x" * 60_000
    assert len(cut(text)) < LIMIT + 100 and cut("short") == "short"
    clock = Clock()
    log = logging.getLogger("kursk-test-summary")
    summary = Summary(log, every=10, clock=clock)
    with caplog.at_level(logging.WARNING, logger=log.name):
        for _ in range(1000):
            summary("refused (%s): %s", "msg_type", "execute_request")
        summary("refused (%s): %s", "comm target", "os.system")  # another kind: logged
        clock.now = 11
        summary("refused (%s): %s", "msg_type", "execute_request")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert "999 more like it" in lines[2]


@pytest.mark.timeout(180)
def test_a_viewer_kernel_at_its_memory_ceiling_exits(tmp_path):
    """The OS enforces the ceiling (RLIMIT_DATA); a kernel that reaches it exits, so its
    slot frees and its page is told, instead of limping on near the limit."""
    env = {
        **os.environ,
        "KURSK_KERNEL_MEMORY_MB": "1600",
        "JUPYTER_PATH": str(JUPYTER_DATA),
    }
    km = KernelManager(kernel_name="python3")
    km.kernel_spec_manager.kernel_dirs = [str(JUPYTER_DATA / "kernels")]
    km.start_kernel(env=env, cwd=str(tmp_path))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        pid = km.provisioner.process.pid
        limits = Path(f"/proc/{pid}/limits").read_text()
        line = next(ln for ln in limits.splitlines() if ln.startswith("Max data size"))
        assert line.split()[3] == str(1600 << 20)
        info = client.kernel_info(reply=True, timeout=30)["content"]
        assert info["banner"] == "" and "version" not in info["language_info"]
        client.execute("hold = [bytearray(64 << 20) for _ in range(64)]")  # 4 GiB
        deadline = time.monotonic() + 60
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not km.is_alive()
        assert km.provisioner.process.wait(10) == 70  # serve/kernel.py OUT_OF_MEMORY
    finally:
        client.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
        km.cleanup_resources()
    assert sys.platform == "linux"
