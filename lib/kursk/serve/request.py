"""The reader's request as the viewer kernel learns it: the query string of the page's URL.

A link to a view carries its filters in the query string (dashboard/link.py). The kernel must
build that view before the page is sent, never the default view first. A kernel started for
a request has the query string in its environment (QUERY_STRING, set by Voila). A pre-heated
kernel ran the notebook before any reader came: the dashboard notebook stops at
`request_query()` until a page request takes the kernel, and the server sends the request's
query string over its query socket (/voila/query/<kernel id>, sockets.QueryInfo). Voila's own
helper (voila.utils.wait_for_request) does the same in a thread whose failures print a
traceback into the cell's output; this one reads the same socket and, when anything fails,
says nothing and returns no query (the default view).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os

PREHEAT, KERNEL_ID, QUERY_STRING = "VOILA_PREHEAT", "VOILA_KERNEL_ID", "QUERY_STRING"
MAX_QUERY = 8192  # a link longer than this is not one the page made: read as no query


def query_socket_url() -> str | None:
    """Where a pre-heated kernel hears its request (as voila.utils builds it), or None."""
    kernel_id = os.environ.get(KERNEL_ID)
    if not kernel_id:
        return None
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{kernel_id}"


def request_query() -> str:
    """The page request's query string ('' when there is none or it cannot be learnt).

    In a pre-heated kernel this waits for the request that takes the kernel."""
    freeze_heap()
    if os.environ.get(PREHEAT, "False") == "True":
        info = _wait_for_request()
        query = info.get(QUERY_STRING, "") if isinstance(info, dict) else ""
    else:
        query = os.environ.get(QUERY_STRING, "")
    query = query if isinstance(query, str) else ""
    return "" if len(query) > MAX_QUERY else query


def freeze_heap() -> None:
    """Keep what the kernel has built so far (the modules, the data, the dashboard) out of
    the garbage collector's full passes: they live as long as the kernel. A full pass over
    that heap landed in the middle of filter changes (make bench: dashboard redraws; the
    numbers are in docs/performance.md). Objects made later are collected as before. No pass
    is made first: it would delay the first view of a kernel started for a page by as long.
    """
    gc.freeze()


def _wait_for_request() -> dict | None:
    url = query_socket_url()
    if url is None:
        return None
    from websockets.sync.client import connect

    # no request info: the default view, no traceback
    with contextlib.suppress(Exception), connect(url, open_timeout=10, max_size=2**20) as ws:
        return json.loads(ws.recv())
    return None
