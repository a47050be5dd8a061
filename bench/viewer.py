"""One dashboard viewer over the network, doing what the page's JavaScript does.

The load test and the security tests drive the real server with it: GET the page, open the
kernel websocket, open the widget control comm, ask for every widget's state, change values.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable

import httpx
import websockets
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

from kursk.charts import NAMES as CHARTS

PLOTLY_MIME = "application/vnd.plotly.v1+json"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONTROL_VERSION = "1.0.0"  # ipywidgets 8 control-comm protocol
WIDGET_VERSION = "2.1.0"


class Busy(Exception):
    """The server answered with its busy page (every viewer slot taken)."""


def decode(raw: str | bytes) -> dict:
    """One kernel websocket frame as a message dict (text JSON or the binary buffer format)."""
    if isinstance(raw, bytes):
        return deserialize_binary_message(raw)
    return json.loads(raw)


def model_refs(value) -> list[str]:
    """Widget model ids referenced from a state value ("IPY_MODEL_<id>", possibly in lists)."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return [value[len("IPY_MODEL_") :]]
    if isinstance(value, list | tuple):
        return [ref for v in value for ref in model_refs(v)]
    return []


def holds_figure(states: dict, model_id: str, seen: set | None = None) -> bool:
    """Whether a widget, or one inside it, holds a plotly figure with data."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in states:
        return False
    seen.add(model_id)
    state = states[model_id]
    for output in state.get("outputs") or []:
        figure = (output.get("data") or {}).get(PLOTLY_MIME)
        if figure and figure.get("data"):
            return True
    if (state.get("figure") or {}).get(
        "data"
    ):  # the dashboard's chart widget (kursk.dashboard.chart)
        return True
    if state.get("_data") or state.get("_widget_data"):  # a go.FigureWidget
        return True
    return any(holds_figure(states, ref, seen) for v in state.values() for ref in model_refs(v))


def charts_with_figures(states: dict) -> set[str]:
    """Names of the dashboard charts (kursk-chart-<name> containers) that hold a figure."""
    found = set()
    for model_id, state in states.items():
        for cls in state.get("_dom_classes") or []:
            name = cls[len("kursk-chart-") :] if cls.startswith("kursk-chart-") else None
            if name and holds_figure(states, model_id):
                found.add(name)
    return found


def find_model(states: dict, dom_class: str) -> str:
    """The id of the widget carrying a CSS class (the dashboard's DOM hooks)."""
    for model_id, state in states.items():
        if dom_class in (state.get("_dom_classes") or []):
            return model_id
    raise KeyError(f"no widget with class {dom_class}")


def message(
    msg_type: str,
    content: dict,
    metadata: dict | None = None,
    channel: str = "shell",
    session: str = "attacker",
) -> dict:
    """A Jupyter message (protocol 5.3) as a page sends it on the kernel websocket."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "",
            "session": session,
            "date": "",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


class WidgetSession:
    """One viewer over the network, as the page's JavaScript talks to its kernel."""

    def __init__(
        self,
        base_url: str,
        kernel_id: str,
        cookies: dict,
        page_html: str,
        headers: dict | None = None,
    ):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.headers = dict(headers or {})  # e.g. X-Real-IP: one reader among many via nginx
        self.kernel_id = kernel_id
        self.cookies = cookies
        self.page_html = page_html
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}
        self.messages: list[dict] = []
        self.raw: list[str] = []  # every frame as text, to check nothing leaks
        self._changed = asyncio.Event()
        self._ws = None
        self._reader = None
        self._control = uuid.uuid4().hex

    @classmethod
    async def open(
        cls, base_url: str, timeout: float = 120, headers: dict | None = None
    ) -> WidgetSession:
        """GET the page (Busy on the busy page), then connect to its kernel.

        headers: sent with every request, e.g. {"X-Real-IP": ...} to stand for one reader
        among many behind the proxy (the server limits kernels per client)."""
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, headers=headers) as http:
            page = await http.get("/")
            cookies = dict(http.cookies)
        if page.status_code in (503, 429):
            raise Busy(page.text)
        page.raise_for_status()
        match = KERNEL_ID.search(page.text)
        if not match:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)).strip()
            raise RuntimeError(f"the page names no kernel ({len(page.text)} bytes): {text[-300:]}")
        self = cls(base_url, match.group(1), cookies, page.text, headers)
        self.opened = time.perf_counter()
        await self.connect()
        return self

    async def connect(self) -> None:
        """Open the kernel channels websocket the way the page does."""
        url = self.base_url.replace("http", "ws", 1)
        url += f"api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await websockets.connect(
            url,
            additional_headers={
                "Cookie": cookie,
                "Origin": self.base_url.rstrip("/"),
                **self.headers,
            },
            max_size=None,
            open_timeout=60,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._ws:
                msg = decode(raw)
                self.raw.append(raw if isinstance(raw, str) else json.dumps(msg, default=str))
                self.messages.append(msg)
                self._apply(msg)
                self._changed.set()

    def _apply(self, msg: dict) -> None:
        if msg.get("msg_type", msg["header"]["msg_type"]) != "comm_msg":
            return
        data = msg["content"].get("data") or {}
        if data.get("method") == "update_states":
            for model_id, model in data["states"].items():
                self.states.setdefault(model_id, {}).update(model["state"])
        elif data.get("method") in ("update", "echo_update") and "state" in data:
            self.states.setdefault(msg["content"]["comm_id"], {}).update(data["state"])

    def message(
        self, msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None
    ) -> dict:
        """A Jupyter message as the page would send it."""
        return message(msg_type, content, metadata, channel, session=self.session)

    async def send(
        self, msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None
    ) -> dict:
        """Send one message; returns it (its header's msg_id identifies replies)."""
        msg = self.message(msg_type, content, channel, metadata)
        await self._ws.send(json.dumps(msg))
        return msg

    async def wait_for(self, condition: Callable[[], object], timeout: float):
        """Wait until condition() is truthy (re-checked on every incoming message)."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            left = deadline - time.monotonic()
            if left <= 0 or self._reader.done():
                raise TimeoutError("condition not met before the timeout")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    async def load_widgets(self, timeout: float = 120) -> dict:
        """Ask the kernel for every widget's state (ipywidgets 8 control comm) as the page does."""
        meta = {"version": CONTROL_VERSION}
        content = {"comm_id": self._control, "target_name": "jupyter.widget.control", "data": {}}
        await self.send("comm_open", content, metadata=meta)
        await self.send(
            "comm_msg",
            {"comm_id": self._control, "data": {"method": "request_states"}},
            metadata=meta,
        )
        await self.wait_for(lambda: self.states, timeout)
        return self.states

    async def wait_charts(self, timeout: float = 120) -> None:
        """Wait until every dashboard chart holds a figure."""
        await self.wait_for(lambda: charts_with_figures(self.states) >= set(CHARTS), timeout)

    async def update(self, model_id: str, state: dict) -> None:
        """Change a widget's value as the page does when the viewer uses a control."""
        content = {
            "comm_id": model_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        await self.send("comm_msg", content, metadata={"version": WIDGET_VERSION})

    async def click(self, model_id: str) -> None:
        """Click a Button widget."""
        content = {
            "comm_id": model_id,
            "data": {"method": "custom", "content": {"event": "click"}},
        }
        await self.send("comm_msg", content, metadata={"version": WIDGET_VERSION})

    def text(self, dom_class: str, key: str = "value") -> str:
        """A widget's current value (e.g. the status line's HTML)."""
        return str(self.states[find_model(self.states, dom_class)].get(key, ""))

    async def close(self, shutdown: bool = False) -> None:
        """Leave: with shutdown=True as the page's unload beacon does, else just disconnect."""
        if shutdown:
            xsrf = self.cookies.get("_xsrf", "")
            async with httpx.AsyncClient(
                base_url=self.base_url, cookies=self.cookies, headers=self.headers
            ) as http:
                await http.post(
                    f"voila/api/shutdown/{self.kernel_id}",
                    data={"_xsrf": xsrf},
                    headers={"X-XSRFToken": xsrf},
                )
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._reader, 5)
