"""Rendering fetches nothing but the package's own static files: never the network, never another file."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from caseflow_wagtail.pdfs import engine
from caseflow_wagtail.pdfs.render import static_files

from .conftest import pdf_text


@pytest.fixture
def local_server():
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_links_images_and_stylesheets_elsewhere_are_never_fetched(local_server, caplog):
    base, requests = local_server
    sheets, roots = static_files()
    html = f"""<html><head><link rel="stylesheet" href="{base}/evil.css">
        <link rel="stylesheet" href="file:///etc/passwd"></head>
        <body><img src="{base}/pixel.png"><img src="../../../../etc/hostname">
        <p style="background: url({base}/bg.png)">Still rendered</p></body></html>"""

    pdf = engine.write_pdf(html, sheets, roots)

    assert "Still rendered" in pdf_text(pdf)
    assert requests == []
    assert "Refused to fetch http" in caplog.text
    assert "Refused to fetch file" in caplog.text


def test_the_package_stylesheets_are_read(settings):
    sheets, roots = static_files()
    assert [path.name for path in sheets] == ["invoice.css", "pdf.css"]
    assert all(any(sheet.is_relative_to(root) for root in roots) for sheet in sheets)
