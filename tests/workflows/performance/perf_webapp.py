"""A small real web app on 127.0.0.1 for the performance and scaling tests.

/             an HTML page with a stylesheet and a script (for Lighthouse)
/app.css      /app.js
/fast         a JSON answer at once
/slow         a JSON answer after `app.delay` seconds
/flaky        500 while `app.failing` is true, else 200
/work         `app.work` seconds of exclusive work (one request at a time: it saturates)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Devora test shop</title><meta name="description" content="A page to audit.">
<link rel="stylesheet" href="/app.css"></head>
<body><main><h1>Devora test shop</h1><p>Items on sale today.</p>
<ul>{items}</ul></main><script src="/app.js"></script></body></html>
""".format(items="".join(f"<li>item {i}</li>" for i in range(40)))
CSS = "body{font-family:sans-serif;margin:2rem}" + "".join(
    f".unused-{i}{{color:#{i:03x};padding:{i}px}}" for i in range(400)
)
SCRIPT = "let total=0;for(let i=0;i<2e6;i++){total+=i%7}document.body.dataset.total=total;"


@dataclass
class WebApp:
    """The app's knobs, changed by tests while it runs."""

    delay: float = 0.02
    work: float = 0.01
    failing: bool = False
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""


def _handler(app: WebApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            app.hits[path] = app.hits.get(path, 0) + 1
            if path == "/":
                self._send(200, PAGE, "text/html; charset=utf-8")
            elif path == "/app.css":
                self._send(200, CSS, "text/css")
            elif path == "/app.js":
                self._send(200, SCRIPT, "application/javascript")
            elif path == "/fast":
                self._send(200, json.dumps({"ok": True}), "application/json")
            elif path == "/slow":
                time.sleep(app.delay)
                self._send(200, json.dumps({"slept": app.delay}), "application/json")
            elif path == "/flaky":
                status = 500 if app.failing else 200
                self._send(status, json.dumps({"failing": app.failing}), "application/json")
            elif path == "/work":
                with app.lock:
                    time.sleep(app.work)
                self._send(200, json.dumps({"worked": app.work}), "application/json")
            else:
                self._send(404, "not found", "text/plain")

        def _send(self, status: int, body: str, media_type: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serve_webapp() -> Iterator[WebApp]:
    """Run the app on a free port of 127.0.0.1 for the duration of the block."""
    app = WebApp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
    server.daemon_threads = True
    app.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
