"""The read-only link against a hostile viewer: no code runs, forged values bounce, nothing leaks.

Everything runs against the real server (`voila_server`, what `make dashboard` serves) over
loopback, with protocol clients doing what a page's JavaScript can do (bench/viewer.py) and
Debian's Chromium as the innocent viewer next door.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import os
import re
import shutil
import urllib.parse

import pytest

from bench.loadtest import server_pid_for
from bench.viewer import WidgetSession, charts_with_figures, find_model
from kursk import serve
from kursk.charts import NAMES
from kursk.paths import DATA_DIR

pytestmark = [pytest.mark.server]

# What must never reach a viewer: tracebacks, server paths, source locations.
LEAK = re.compile(
    r"Traceback|/work/|/root/|/home/|site-packages|\.venv|File \"|\.py\"?, line \d+|\.py:\d+"
)
STATUS = re.compile(r"(\d+) of (\d+)")
# Every CSP source beyond 'self'/'none', and why the dashboard needs it.
CSP_EXTRAS = {
    "'unsafe-inline'": "Voila's page carries inline <script> blocks (page config, heartbeat) "
    "and widgets and plotly set inline styles",
    "'unsafe-eval'": "plotly.js and the widget manager's bundles build functions at run time",
    "blob:": "the widget manager loads workers and module code from blob: URLs",
    "data:": "plotly and the JupyterLab theme embed icons and fonts as data: URIs",
}


def arun(coro):
    """Run a coroutine on its own loop in a worker thread (Playwright's sync API owns this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def leaks(texts) -> list[str]:
    """The snippets around anything that should not reach a viewer."""
    found = []
    for text in texts:
        for m in LEAK.finditer(text):
            found.append(text[max(0, m.start() - 80) : m.end() + 80])
    return found


def server_log(url: str) -> str:
    """The running server's log (its stdout), to check details went there instead."""
    pid = server_pid_for(url)
    path = os.readlink(f"/proc/{pid}/fd/1")
    with open(path, errors="replace") as fh:
        return fh.read()


def status_counts(session: WidgetSession) -> tuple[int, int]:
    m = STATUS.search(session.text("kursk-status"))
    assert m, session.text("kursk-status")
    return int(m.group(1)), int(m.group(2))


async def open_viewer(url: str) -> WidgetSession:
    s = await WidgetSession.open(url)
    await s.load_widgets()
    await s.wait_charts()
    return s


async def request_state(s: WidgetSession, model_id: str) -> dict:
    """The kernel's own current state of a widget (not what we last sent)."""
    before = len(s.messages)
    await s.send(
        "comm_msg",
        {"comm_id": model_id, "data": {"method": "request_state"}},
        metadata={"version": "2.1.0"},
    )

    def reply():
        for m in s.messages[before:]:
            data = m["content"].get("data") or {}
            if m["content"].get("comm_id") == model_id and data.get("method") == "update":
                return data["state"]
        return None

    return await s.wait_for(reply, 30)


# --- 1. no code execution ---


def test_execute_request_over_the_kernel_websocket_is_not_run(voila_server, tmp_path):
    probe = tmp_path / "executed.txt"
    code = f"open({str(probe)!r}, 'w').write('x'); print('KURSK-PROBE-' + 'RAN')"

    async def attack():
        s = await WidgetSession.open(voila_server)
        sent = []
        for channel in ("shell", "control"):
            content = {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {"x": "__import__('os').getcwd()"},
                "allow_stdin": False,
                "stop_on_error": True,
            }
            sent.append(await s.send("execute_request", content, channel=channel))
        # The same connection still works, so silence above is a refusal, not a dead link.
        info = await s.send("kernel_info_request", {})
        await s.wait_for(
            lambda: any(
                m["parent_header"].get("msg_id") == info["header"]["msg_id"] for m in s.messages
            ),
            30,
        )
        await asyncio.sleep(3)
        await s.close(shutdown=True)
        return s, {m["header"]["msg_id"] for m in sent}

    s, ids = arun(attack())
    answers = [
        m["header"]["msg_type"] for m in s.messages if m["parent_header"].get("msg_id") in ids
    ]
    assert answers == [], answers  # no execute_input, stream, execute_reply or error at all
    assert "KURSK-PROBE-RAN" not in "".join(s.raw)
    assert not probe.exists()
    assert "execute_request" in server_log(voila_server)  # refused, and the refusal is logged


# --- 2. forged widget values ---


def test_forged_widget_values_are_rejected_and_nobody_is_disturbed(voila_server, browser, data):
    # The innocent viewer: a real page in Chromium, open before and after the attack.
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(voila_server, timeout=120_000)
    drawn = "document.querySelectorAll('.kursk-chart .js-plotly-plot .main-svg').length >= 6"
    page.wait_for_function(drawn, timeout=120_000)
    innocent_status = page.inner_text(".kursk-status")

    independent_count = len(data.filter(min_independent=2).figures)
    casualties_count = len(data.filter(metric_groups=["casualties"]).figures)

    async def attack():
        s = await open_viewer(voila_server)
        ids = {
            c: find_model(s.states, f"kursk-filter-{c}")
            for c in ("claimant", "metric", "since", "until", "independent")
        }
        forged = [
            (ids["claimant"], {"value": ["not-offered"]}),  # a value that is not offered
            (ids["claimant"], {"value": "all of them"}),  # wrong type
            (ids["metric"], {"value": ["casualties", 99, None]}),
            (ids["since"], {"value": "x" * 60_000}),  # a long string (the frame limit: 64 KiB)
            (ids["until"], {"value": {"year": "MMXXV", "month": None, "date": []}}),
            (ids["independent"], {"value": "yes please"}),
            (ids["independent"], {"value": {"__class__": "os.system", "args": ["id"]}}),
        ]
        kernel_before = {i: await request_state(s, i) for i in set(ids.values())}
        before = status_counts(s)
        for model_id, state in forged:
            await s.update(model_id, state)
        await asyncio.sleep(2)
        # A huge value (1 MB) is refused by the server before it is read: the frame is over
        # the limit, so the socket is closed (1009) and the kernel never sees it. The page
        # reconnects (as JupyterLab does) and its kernel is as it was.
        await s.update(ids["since"], {"value": "x" * 1_000_000})
        await asyncio.wait_for(s._reader, 10)
        huge_closed = s._ws.close_code
        await s.connect()
        kernel_after = {i: await request_state(s, i) for i in set(ids.values())}
        after_forgery = status_counts(s)
        # A legitimate change still works for the attacker's own page ...
        await s.update(ids["independent"], {"value": True})
        await s.wait_for(lambda: status_counts(s)[0] == independent_count, 60)
        await s.wait_for(lambda: len(charts_with_figures(s.states)) == len(NAMES), 60)
        await s.update(ids["independent"], {"value": False})
        await s.update(ids["metric"], {"value": ["casualties"]})
        await s.wait_for(lambda: status_counts(s)[0] == casualties_count, 60)
        await s.close(shutdown=True)
        return s, kernel_before, kernel_after, before, after_forgery, huge_closed

    log_before = len(server_log(voila_server))
    s, kernel_before, kernel_after, before, after_forgery, huge_closed = arun(attack())
    assert huge_closed == 1009
    added = server_log(voila_server)[log_before:]
    assert "a viewer's widget message was refused" in added  # one line each: client errors
    assert "Traceback" not in added and max(map(len, added.splitlines())) < 2500
    for model_id, state in kernel_before.items():
        for key in ("index", "value"):
            if key in state:
                assert kernel_after[model_id][key] == state[key], (model_id, key)
    assert after_forgery == before
    assert leaks(s.raw) == []
    errors = [m for m in s.messages if m["header"]["msg_type"] == "error"]
    assert errors and all(m["content"]["traceback"] == [] for m in errors)

    # ... and the viewer next door saw nothing and can still use the dashboard.
    assert page.inner_text(".kursk-status") == innocent_status
    page.locator(".kursk-filter-independent input").check()
    page.wait_for_function(
        f"document.querySelector('.kursk-status').innerText.includes('{independent_count} of')",
        timeout=60_000,
    )
    page.wait_for_function(drawn, timeout=60_000)
    assert violations == []
    context.close()


# --- 3. failing callbacks and malformed messages ---


def test_malformed_messages_and_failing_callbacks_leak_nothing(voila_server, data):
    async def attack():
        s = await open_viewer(voila_server)
        claimant = find_model(s.states, "kursk-filter-claimant")
        since = find_model(s.states, "kursk-filter-since")
        until = find_model(s.states, "kursk-filter-until")
        v2 = {"version": "2.1.0"}
        await s.send("comm_msg", {"comm_id": claimant, "data": {}}, metadata=v2)  # no method
        await s.send("comm_msg", {"comm_id": claimant, "data": {"method": "explode"}}, metadata=v2)
        await s.send(
            "comm_msg",
            {
                "comm_id": claimant,
                "data": {
                    "method": "update",
                    "state": {"value": [s.states[claimant]["options"][0][1]]},
                    "buffer_paths": [["value", 0]],
                },
            },
            metadata=v2,
        )  # a buffer path without its buffer
        await s.send("comm_msg", {"comm_id": "no-such-comm", "data": {"method": "update"}})
        await s.send("comm_open", {"comm_id": "c1", "target_name": "os.system", "data": {}})
        await s.send(
            "comm_open",
            {"comm_id": "c2", "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "0.0.1"},
        )
        await s.send(
            "comm_open",
            {
                "comm_id": "c3",
                "target_name": "jupyter.widget",
                "data": {"state": {"_model_name": "../../etc/passwd"}},
            },
        )
        # Dates that read but select nothing, then a reversed range: the callback must cope.
        await s.update(since, {"value": "2030-01-01"})
        await s.update(until, {"value": "1990-01-01"})
        await asyncio.sleep(4)
        await s.update(since, {"value": "2024-01-01"})
        await s.update(until, {"value": "2030-01-01"})
        everyone = [value for _, value in s.states[claimant]["options"]]
        await s.update(claimant, {"value": everyone})
        # The page still answers: every figure is back.
        await s.wait_for(lambda: STATUS.search(s.text("kursk-status")), 60)
        await s.wait_for(lambda: status_counts(s)[0] == len(data.figures), 60)
        await s.close(shutdown=True)
        return s

    s = arun(attack())
    assert leaks(s.raw) == []
    errors = [m for m in s.messages if m["header"]["msg_type"] == "error"]
    assert all(m["content"]["traceback"] == [] for m in errors)
    # The comm_opens of made-up targets and widgets, and the messages without a method, never
    # reach the kernel (serve/frames.py): the server drops them and says so in its log. Before,
    # the kernel raised on the made-up widget model and sent the page a (sanitised) error.
    log = server_log(voila_server)
    for kind in ("comm target", "comm version", "comm method"):
        assert f"websocket message refused ({kind})" in log
    assert "os.system" in log and "Traceback" not in log  # one line each, no traceback


# --- 4. path probes ---

FIGURE_FILES = sorted(p.name for p in (DATA_DIR / "figures").glob("*.yaml"))
PROBES = [
    "/static/../data/articles.yaml",
    "/static/%2e%2e/%2e%2e/data/articles.yaml",
    "/voila/static/../../data/articles.yaml",
    "/voila/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/voila/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/voila/static/%2e%2e%2f%2e%2e%2fapp.py",
    "/voila/files/../data/articles.yaml",
    "/voila/files/%2e%2e/data/articles.yaml",
    "/voila/files/..%2fdata%2farticles.yaml",
    "/voila/files/data/articles.yaml",
    "/voila/files/data/claimants.yaml",
    "/voila/files/data/figures/",
    "/voila/files/dashboards/overview.ipynb",
    "/voila/files/lib/kursk/paths.py",
    "/voila/files/%2fetc%2fpasswd",
    "/data/articles.yaml",
    "/overview.ipynb",
    "/dashboards/overview.ipynb",
    "/notebooks/01-explore.ipynb",
    "/voila/render/overview.ipynb",
    "/voila/tree",
    "/voila/api/contents",
    "/api/contents",
    "/api/contents/dashboards/overview.ipynb",
    "/api/kernels",
    "/api/sessions",
    "/api/kernelspecs",
    "/api/terminals",
    "/api/config/notebook",
    "/lab",
    "/tree",
    "/login",
    "/voila/templates/kursk/index.html.j2",
    "/voila/templates/kursk/conf.json",
    "/voila/templates/kursk/static/../index.html.j2",
    "/voila/templates/kursk/static/%2e%2e%2fconf.json",
    "/voila/templates/lab/static/../../../../../../etc/passwd",
    "/voila/labextensions/../../../etc/passwd",
    "/voila/api/themes/../../etc/passwd",
    *[f"/voila/files/data/figures/{name}" for name in FIGURE_FILES],
    *[f"/data/figures/{name}" for name in FIGURE_FILES],
]
SECRETS = [
    "claimant:",
    "quote:",
    "figures:",
    "nbformat",
    '"cells"',
    "root:x:0:0",
    "import ",
    "{%",
    "traitlet",
    "kursk",
]


@pytest.mark.parametrize("path", PROBES)
def test_path_probes_are_refused_and_leak_nothing(voila_server, path):
    parsed = urllib.parse.urlsplit(voila_server)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    conn.request("GET", path)  # sent exactly as written: no client-side normalisation
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    assert response.status in (403, 404), (path, response.status, response.getheader("Location"))
    assert leaks([body]) == []
    lowered = body.lower()
    assert not [s for s in SECRETS if s.lower() in lowered], body[:500]
    assert len(body) < 2000  # a short error page, not a file


# --- 5. broken data ---


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory):
    """A server on a copy of the data with a YAML syntax error and a bad value."""
    data = tmp_path_factory.mktemp("broken") / "data"
    shutil.copytree(DATA_DIR, data)
    first, second = sorted((data / "figures").glob("*.yaml"))[:2]
    first.write_text(first.read_text().replace(":", " ", 3) + "\n  - [unclosed\n")
    second.write_text(second.read_text().replace("value:", "value: [oops", 1))
    proc, url = serve.start(data_dir=data)
    yield url, first.name
    serve.stop(proc)


def test_broken_data_shows_a_plain_error_and_leaks_nothing(broken_server, browser):
    url, broken_file = broken_server
    context = browser.new_context()
    page = context.new_page()
    frames = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        ),
    )
    response = page.goto(url, timeout=120_000)
    page.wait_for_selector(".kursk-error", timeout=120_000)
    page.wait_for_timeout(1500)
    box = page.inner_text(".kursk-error")
    html = page.content()
    context.close()
    assert response.status == 200
    assert broken_file in box  # names the file the maintainer must fix
    assert leaks([html, box, *frames]) == []


# --- 6. response headers ---


def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", ["/", "/voila/static/voila.js", "/no-such-page"])
def test_security_headers_on_every_reply(voila_server, path):
    parsed = urllib.parse.urlsplit(voila_server)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    assert response.status in (200, 404)
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") in ("no-referrer", "same-origin", "strict-origin")
    assert re.search(r"\d", headers.get("server", "")) is None  # no version banner
    csp = csp_directives(headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"])
    assert csp.get("object-src") == ["'none'"]
    for directive, sources in csp.items():
        for source in sources:
            assert source in ("'self'", "'none'", *CSP_EXTRAS), (directive, source)
            assert "*" not in source and "://" not in source, (directive, source)
