"""Quiet, honest logs: long records cut, repeated refusals summarised, one line each.

A long forged widget value used to reach the log whole (the error's message holds the
value), and an attacker who repeats a refused request could write the log as fast as the
server answers. Records are cut to LIMIT characters, head and tail kept; refusals of the
same kind are logged once per interval with a count of the rest.
"""

from __future__ import annotations

import logging
import time

LIMIT = 2000
LOGGERS = ("", "tornado.access", "tornado.application", "tornado.general")


def cut(text: str, limit: int = LIMIT) -> str:
    """text if short, else its head and tail around a note of how much was left out."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} ...[{len(text) - limit} characters cut]... {text[-half:]}"


class CutFilter(logging.Filter):
    """Cuts every record's message (with its arguments) to LIMIT characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot format is left as it is
            return True
        if len(message) > LIMIT:
            record.msg, record.args = cut(message), ()
        return True


class CutFormatter(logging.Formatter):
    """A formatter whose output, traceback included, is cut to LIMIT characters."""

    def format(self, record: logging.LogRecord) -> str:
        return cut(super().format(record))


def install(app_log: logging.Logger) -> None:
    """Cut records on the app's log and tornado's (access lines carry the full URL)."""
    cutter = CutFilter()
    for name in LOGGERS:
        logging.getLogger(name).addFilter(cutter)
        for handler in logging.getLogger(name).handlers:
            handler.addFilter(cutter)
    app_log.addFilter(cutter)
    for handler in app_log.handlers:
        handler.addFilter(cutter)


class Summary:
    """Logs each kind of event at most once per `every` seconds, counting those in between.

    The kind is the message's format and its first argument (a reason, a client), so that a
    flood of one refusal does not hide a different one.
    """

    MAX_KINDS = 256  # an attacker varying the argument cannot grow this without bound

    def __init__(self, log: logging.Logger, every: float = 10.0, clock=None):
        self.log, self.every = log, every
        self.clock = clock or time.monotonic
        self.kinds: dict[tuple, list] = {}  # kind -> [last logged, quiet since]

    def __call__(self, message: str, *args) -> None:
        kind = (message, str(args[0])[:80] if args else "")
        now = self.clock()
        if kind not in self.kinds and len(self.kinds) >= self.MAX_KINDS:
            self.kinds.clear()
        last, quiet = self.kinds.get(kind, (-float("inf"), 0))
        if now - last < self.every:
            self.kinds[kind] = [last, quiet + 1]
            return
        if quiet:
            message += f" ({quiet} more like it in the last {now - last:.0f} s)"
        self.log.warning(message, *args)
        self.kinds[kind] = [now, 0]
