"""docs/deploy.md works: Debian's nginx really in front of the real server; the systemd unit."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.parse

import httpx
import pytest

from kursk.paths import ROOT
from kursk.serve.app import KurskVoila

DOCS = ROOT / "docs"
NGINX_CONF = DOCS / "nginx" / "kursk.conf"
UNIT = DOCS / "systemd" / "kursk-dashboard@.service"
DRAWN = "document.querySelectorAll('.kursk-chart .js-plotly-plot .main-svg').length >= 6"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if not found:
        pytest.fail("Debian's nginx is not installed: `make nginx` (apt-get install nginx-light)")
    return found


def render(conf: str, tmp, upstream_port: int, http_port: int, https_port: int) -> str:
    """The documented config with this machine's ports, a throw-away certificate and folder."""
    conf = conf.replace("dashboard.example.org", "localhost")
    conf = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp}/cert.pem;", conf)
    conf = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp}/key.pem;", conf)
    conf = re.sub(r"\n\s*listen \[::\][^\n]*", "", conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    upstreams = re.findall(r"\n\s*server 127\.0\.0\.1:\d+;\s*# kursk-upstream", conf)
    assert len(upstreams) >= 2, "the upstream should list several Voila processes"
    conf = conf.replace(upstreams[0], f"\n    server 127.0.0.1:{upstream_port};")
    for line in upstreams[1:]:
        conf = conf.replace(line, "")
    return conf.replace("/srv/kursk/build/briefing/", f"{tmp}/briefing/")


@pytest.fixture(scope="module")
def proxy(voila_server, tmp_path_factory):
    """nginx running docs/nginx/kursk.conf in front of the dashboard server."""
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (tmp / "briefing").mkdir()
    (tmp / "briefing" / "index.html").write_text("<!DOCTYPE html><title>Briefing</title>ok")
    http_port, https_port = free_port(), free_port()
    upstream = urllib.parse.urlsplit(voila_server).port
    (tmp / "kursk.conf").write_text(
        render(NGINX_CONF.read_text(), tmp, upstream, http_port, https_port)
    )
    # As root, nginx's workers would run as nobody and could not read pytest's 0700 folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/kursk.conf;
}}
""")
    args = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([*args, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    base = f"https://localhost:{https_port}/"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            httpx.get(base + "voila/static/voila.js", verify=False, timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield {"https": base, "http": f"http://127.0.0.1:{http_port}/", "tmp": tmp}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.browser
@pytest.mark.server
def test_dashboard_works_through_nginx_with_tls_and_websockets(proxy, browser):
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    failed = []
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and failed.append((r.status, r.url)),
    )
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    console = []
    page.on("console", lambda m: console.append(m.text))
    page.on("requestfailed", lambda r: failed.append((r.failure, r.url)))
    response = page.goto(proxy["https"], timeout=120_000)
    try:
        page.wait_for_function(DRAWN, timeout=120_000)
    except Exception as exc:
        raise AssertionError(f"charts not drawn: {failed} {console[-10:]} {sockets}") from exc
    headers = response.headers
    # What failed while the page loaded and drew: closing the page afterwards aborts whatever is
    # still in flight, and that is not the proxy's doing.
    failed_while_open = list(failed)
    context.close()
    assert any(
        re.search(r"^wss://localhost:\d+/api/kernels/[0-9a-f-]+/channels", u) for u in sockets
    ), sockets
    assert failed_while_open == [], (failed_while_open, console[-10:])
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "frame-ancestors" in headers["content-security-policy"]  # Voila's own, passed on
    assert headers.get("server") == "nginx"  # server_tokens off: no version


@pytest.mark.server
def test_proxy_redirects_to_tls_and_exposes_nothing_else(proxy):
    plain = httpx.get(proxy["http"] + "anything", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"].startswith("https://")
    with httpx.Client(base_url=proxy["https"], verify=False) as client:
        for path in (
            "data/articles.yaml",
            "voila/files/data/articles.yaml",
            "api/contents",
            "api/kernels",
            "dashboards/overview.ipynb",
            "lab",
            "voila/render/x",
        ):
            r = client.get(path)
            assert r.status_code == 404, (path, r.status_code)
            assert "nginx/" not in r.text
        briefing = client.get("briefing/")
        assert briefing.status_code == 200 and "Briefing" in briefing.text


@pytest.mark.server
def test_page_loads_are_rate_limited_per_client(proxy):
    # HEAD counts against the page limit like GET but starts no kernel (Voila answers 405).
    with httpx.Client(base_url=proxy["https"], verify=False) as client:
        codes = [client.head("/").status_code for _ in range(10)]
    assert codes[0] != 429
    assert 429 in codes, codes
    assert "limiting requests" in (proxy["tmp"] / "error.log").read_text()


def test_systemd_unit_runs_the_committed_server_unprivileged():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(UNIT)
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[1:3] == ["-m", "kursk.serve"]
    assert "--host" in argv and argv[argv.index("--host") + 1] == "127.0.0.1"
    assert service["User"] != "root" and service["NoNewPrivileges"] == "yes"
    assert service["MemoryMax"].endswith("G") and service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    # The options it passes exist: Voila's config parser accepts the cap.
    cap = [a for a in argv if a.startswith("--KurskVoila.max_viewers=")]
    app = KurskVoila()
    app.parse_command_line(cap)
    assert app.max_viewers == int(cap[0].split("=")[1])


def test_deploy_guide_names_files_and_commands_that_exist():
    guide = (DOCS / "deploy.md").read_text()
    for rel in re.findall(r"`((?:docs|dashboards|lib)/[^`\s]+)`", guide):
        assert (ROOT / rel).exists(), rel
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"`make (\w+)", guide)):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "p95" in guide and "MiB" in guide  # the measured numbers are in it


def test_systemd_unit_sizes_memory_on_each_kernels_ceiling_and_raises_the_fd_limit():
    """The unit's MemoryMax holds for the cap's worst case, not only the typical kernel: each
    kernel may reach about 400 MiB resident under its ceiling (docs/deploy.md), and 1024
    descriptors run out at about 200 websockets (issue 18)."""
    import json

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(UNIT)
    service = unit["Service"]
    assert int(service["LimitNOFILE"]) >= 65536
    argv = shlex.split(service["ExecStart"])
    cap = int(next(a for a in argv if a.startswith("--KurskVoila.max_viewers=")).split("=")[1])
    voila = json.loads((ROOT / "lib/kursk/serve/dashboard/voila.json").read_text())
    pool = voila["VoilaConfiguration"]["default_pool_size"]
    assert KurskVoila().kernel_memory_mb <= 1536  # the ceiling that measured ~400 MiB resident
    assert float(service["MemoryMax"].rstrip("G")) * 1024 >= (cap + pool) * 400 + 512
    guide = (DOCS / "deploy.md").read_text()
    assert "LimitNOFILE" in guide and "× 400 MiB + 512 MiB" in guide
