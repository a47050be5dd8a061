"""Serving the read-only link: the Voila app (app.py), its viewer kernel (kernel.py), the
snapshot step (snapshots.py), and starting/stopping the server (process.py). What a public
link needs against abuse and faults is one concern per module: the page and its slot
(pages.py), the kernel websocket (sockets.py) and what may pass it (frames.py), per-client
accounting (limits.py), the pre-heated pool (pool.py), accepting connections (listen.py) and
the log (logs.py).

`python -m kursk.serve` serves the dashboard; jupyter/ (Voila template, kernel spec), static/
(plotly.js) and dashboard/ (the notebook and voila.json) ship as package data.
"""

from .process import command, environment, free_port, start, stop

__all__ = ["command", "environment", "free_port", "start", "stop"]
