"""A download button (download.js) whose file the kernel makes only when it is clicked.

The view's CSV and the whole data package used to be made for every view and sent to the page
inside a link (base64), the package costly on large data. Now the button asks the kernel, the
kernel makes the file and sends it as a binary message, and the page saves it under the name
the kernel gives (a Blob, nothing leaves the host).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

# makes (file name, bytes, MIME type) when the reader asks for the file
Maker = Callable[[], tuple[str, bytes, str]]


class Download(anywidget.AnyWidget):
    """A button that saves a file the kernel makes on demand."""

    _esm = Path(__file__).with_name("download.js")
    label = traitlets.Unicode("Download").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)  # under the button: what the file holds
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, make: Maker | None = None, **kwargs):
        super().__init__(**kwargs)
        self.make = make
        self.made = 0  # files sent (tests)
        self.on_msg(self._on_msg)

    def _on_msg(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("want") is not True or not self.make:
            return
        try:
            name, body, mime = self.make()
        except Exception as exc:  # noqa: BLE001 - viewers must never see a traceback
            self.send({"error": f"The file could not be made ({exc.__class__.__name__})."})
            return
        self.made += 1
        self.send({"name": name, "mime": mime, "size": len(body)}, buffers=[body])
