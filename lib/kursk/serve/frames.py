"""What a dashboard page may send over its kernel websocket, checked before anything else.

jupyter_server parses a frame by numbers the frame itself declares: a v1 frame of eight
bytes claiming millions of offsets made it build lists that long (a frozen event loop for
every viewer), and a legacy binary frame claiming millions of buffers built a struct format
that CPython then caches for good (its memory never returned). Every frame is
therefore checked here first, in time bounded by its length, and only then handed over.

What the page sends (Chromium on the dashboard, recorded): one websocket, v1 binary frames on
`shell` of a few hundred bytes, without buffers: `kernel_info_request`, `comm_open` of the
widget control comm, `comm_msg` (`request_states` once, then `update` and `custom`) and
`comm_close`. The protocol clients of the tests and the load test (bench/viewer.py) send the
same messages as JSON text frames on the legacy protocol.

Two kinds of refusal: a frame of the wrong shape, or a viewer that sends too much, closes the
socket (code 1008); a well-formed message the page would never send (code, a comm that would
create widgets, an unknown method) is dropped, and the socket closes once a viewer has sent
`MAX_DROPPED` of them.
"""

from __future__ import annotations

import json
import re
import struct
import time

from ipywidgets._version import __control_protocol_version__ as CONTROL_VERSION

V1 = "v1.kernel.websocket.jupyter.org"
CHANNELS = frozenset({"shell", "control"})
MSG_TYPES = frozenset(
    {"kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close"}
)
COMM_TARGETS = frozenset({"jupyter.widget.control"})  # the page's own; never jupyter.widget
# CONTROL_VERSION: the control comm's protocol, as the installed ipywidgets speaks it (and so
# the page it serves); the kernel raises on any other
COMM_METHODS = frozenset({"update", "custom", "request_states", "request_state"})
MAX_BUFFERS = 2  # the page sends none; a widget value with binary parts has one or two
MAX_PART = 32 * 1024  # header, parent header, metadata: each a few hundred bytes in practice
MAX_DROPPED = 10
STATE_COST = 10  # request_states makes the kernel serialise every widget: ten messages' worth


class FrameError(ValueError):
    """A frame or message the page would never send.

    fatal: the socket is closed (wrong shape, too much); otherwise the message is dropped.
    """

    def __init__(self, reason: str, fatal: bool = True):
        super().__init__(reason)
        self.fatal = fatal
        # what kind of refusal, without the attacker's values: logs are summarised by it
        self.kind = re.split(r"[\d'\"(]", reason, maxsplit=1)[0].strip()


def parse_v1(frame: bytes, max_buffers: int = MAX_BUFFERS) -> tuple[str, list[bytes]]:
    """A v1 frame's channel and parts (header, parent, metadata, content, buffers...).

    Layout: u64 count n | n u64 offsets | channel | header | parent | metadata | content |
    buffers, little-endian, offsets[0] == 8 * (n + 1), never decreasing, the last one the
    frame's length. The count is checked before anything is built from it.
    """
    size = len(frame)
    if size < 8:
        raise FrameError("frame shorter than its offset count")
    count = int.from_bytes(frame[:8], "little")
    if not 6 <= count <= 6 + max_buffers:  # channel + 4 parts + end, plus buffers
        raise FrameError(f"offset count {min(count, 10**9)}")
    head = 8 * (count + 1)
    if size < head:
        raise FrameError("frame shorter than its offset table")
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    if offsets[0] != head or offsets[-1] != size:
        raise FrameError("offsets do not span the frame")
    if any(b < a for a, b in zip(offsets, offsets[1:], strict=False)):
        raise FrameError("offsets go backwards")
    try:
        channel = frame[offsets[0] : offsets[1]].decode("ascii")
    except UnicodeDecodeError as exc:
        raise FrameError("channel is not ASCII") from exc
    return channel, [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]


def _object(raw, what: str, limit: int | None = MAX_PART) -> dict:
    if limit is not None and len(raw) > limit:
        raise FrameError(f"{what} larger than {limit} bytes")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FrameError(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise FrameError(f"{what} is not an object")
    return value


def _short(value) -> str:
    return repr(str(value)[:40])


class FrameGuard:
    """The checks for one websocket: frame shape, message kind, comm rules and a rate.

    rate/burst: a token bucket of messages per second; comm_opens: comm_open messages this
    socket may send; state_requests: `request_states` (the page sends one).
    """

    def __init__(
        self, rate: float, burst: int, comm_opens: int, state_requests: int = 3, clock=None
    ):
        self.clock = clock or time.monotonic
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), self.clock()
        self.comm_opens, self.state_requests = comm_opens, state_requests
        self.dropped = 0

    def _spend(self, cost: float) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            raise FrameError("message rate")
        self.tokens -= cost

    def check(self, message: str | bytes, subprotocol: str | None) -> str:
        """The message's type if it may pass; raises FrameError otherwise."""
        self._spend(1)
        try:
            return self._check(message, subprotocol)
        except FrameError as exc:
            if not exc.fatal:
                self.dropped += 1
                if self.dropped >= MAX_DROPPED:
                    raise FrameError(f"{exc} ({self.dropped} refused messages)") from exc
            raise

    def _check(self, message, subprotocol) -> str:
        if isinstance(message, bytes):
            if subprotocol != V1:  # the legacy binary format: the page never sends it
                raise FrameError("binary frame on the legacy protocol")
            channel, parts = parse_v1(message)
            header, content = _object(parts[0], "header"), parts[3]
            _object(parts[1], "parent header")
            metadata = _object(parts[2], "metadata")
        else:
            if subprotocol == V1:
                raise FrameError("text frame on the v1 protocol")
            msg = _object(message, "message", limit=None)  # bounded by the frame size
            channel, header, content = msg.get("channel"), msg.get("header"), msg.get("content")
            metadata = msg.get("metadata", {})
            if not isinstance(header, dict) or not isinstance(content, dict):
                raise FrameError("header or content is not an object")
            if not isinstance(metadata, dict) or msg.get("buffers"):
                raise FrameError("metadata is not an object, or buffers sent")
        if channel not in CHANNELS:
            raise FrameError(f"channel {_short(channel)}")
        msg_type = header.get("msg_type")
        if msg_type not in MSG_TYPES:
            raise FrameError(f"msg_type {_short(msg_type)}", fatal=False)
        if msg_type in ("comm_open", "comm_msg"):
            if not isinstance(content, dict):
                content = _object(content, "content", limit=None)
            self._comm(msg_type, content, metadata)
        return msg_type

    def _comm(self, msg_type: str, content: dict, metadata: dict) -> None:
        data = content.get("data")
        if not isinstance(data, dict):
            raise FrameError("comm data is not an object")
        if msg_type == "comm_open":
            if content.get("target_name") not in COMM_TARGETS:
                raise FrameError(f"comm target {_short(content.get('target_name'))}", fatal=False)
            if data:
                raise FrameError("comm_open with data", fatal=False)
            if metadata.get("version") != CONTROL_VERSION:  # the kernel would raise on it
                raise FrameError(f"comm version {_short(metadata.get('version'))}", fatal=False)
            self.comm_opens -= 1
            if self.comm_opens < 0:
                raise FrameError("too many comm_open")
            return
        method = data.get("method")
        if method not in COMM_METHODS:
            raise FrameError(f"comm method {_short(method)}", fatal=False)
        if method == "request_states":
            self.state_requests -= 1
            if self.state_requests < 0:
                raise FrameError("too many request_states")
            self._spend(STATE_COST)
