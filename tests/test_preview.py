"""`docgen preview` without a browser: which documents a saved file touches, and what the server refuses."""
from __future__ import annotations

import http.client
import shutil
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from browser import preview_server
from conftest import PROJECT, assembler_for, docgen
from docgen.preview import Preview


def keys_of(assembler, kind: str, sector: str | None = None) -> set[str]:
    name = kind if kind == "mou" else f"pks-{sector}"
    return {f"{'-'.join(codes)}/{name}" for codes in assembler.catalogue.combinations()}


def test_a_saved_clause_reassembles_only_the_documents_that_use_it(project_copy, monkeypatch):
    monkeypatch.chdir(project_copy)
    assembler = assembler_for(project_copy)
    preview = Preview(project_copy)
    preview.reload()
    every = set(preview.entries)
    for key in every:
        preview.document(key)
    sector = assembler.library.scope()[0]
    for kind, clause in ((kind, next(c for c in assembler.library.clauses if c.documents == (kind,)
                                     and (c.sector == sector if kind == "pks" else c.sector is None)))
                         for kind in ("mou", "pks")):
        path = project_copy / clause.path
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        before = {key: preview.entries[key].assemblies for key in every}
        keys, layout = preview.changed({path})
        expected = keys_of(assembler, kind, sector)
        assert set(keys) == expected and not layout
        for key in every:
            preview.document(key)
        assert {key for key in every if preview.entries[key].assemblies > before[key]} == expected

    # a data file every document reads; a style sheet of the page: every document, and pages load again
    assert set(preview.changed({project_copy / "clauses" / "provinces.yaml"})[0]) == every
    keys, layout = preview.changed({project_copy / "templates" / "pdf" / "agreement.css"})
    assert set(keys) == every and layout


def test_a_broken_library_keeps_the_last_good_rendering(project_copy, monkeypatch):
    monkeypatch.chdir(project_copy)
    preview = Preview(project_copy)
    preview.reload()
    key = next(iter(preview.entries))
    good = preview.document(key).good
    data = project_copy / "clauses" / "provinces.yaml"
    data.write_text("bali: [\n", encoding="utf-8")
    preview.changed({data})
    entry = preview.document(key)
    assert entry.good is good
    assert preview.load_error.startswith("clauses/provinces.yaml:")
    assert preview.problem_lines(entry) == [preview.load_error]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A copy of the library, beside a file the server must never give away."""
    root = tmp_path_factory.mktemp("library")
    for folder in ("clauses", "templates"):
        shutil.copytree(PROJECT / folder, root / folder)
    (root / "secret.txt").write_text("not for the browser\n")
    return root


@pytest.fixture(scope="module")
def server(root):
    with preview_server(root) as url:
        yield urllib.parse.urlsplit(url)


def get(server, path: str, method: str = "GET", host: str | None = None) -> tuple[int, bytes, dict]:
    """A request with the path sent exactly as written (no client-side normalisation)."""
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host or server.netloc)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, dict(response.getheaders())


TRAVERSALS = [
    "/files/../secret.txt", "/files/templates/../../secret.txt", "/files/%2e%2e/secret.txt",
    "/files/templates%2F..%2F..%2Fsecret.txt", "/files/templates/pdf/..%2F..%2F..%2Fsecret.txt",
    "/files//etc/passwd", "/files/%2Fetc%2Fpasswd", "/files/templates/fonts/%2e%2e/%2e%2e/secret.txt",
    "/files/clauses/provinces.yaml", "/files/secret.txt", "/files/templates/pdf", "/../secret.txt",
    "/clause/..%2F..%2Fsecret.txt", "/clause/%2Fetc%2Fpasswd", "/clause/../../secret.txt",
    "/doc/..%2F..%2Fsecret.txt/mou", "/doc/bali-ntb/..%2F..%2Fsecret.txt", "/api/doc/..%2F../secret.txt",
    "/download/..%2F..%2Fsecret.txt/mou.pdf", "/download/bali-ntb/..%2Fsecret.txt",
    "/download/bali-ntb/mou.txt", "/compare/..%2Fsecret.txt", "//etc/passwd", "/etc/passwd",
    "/files/templates/fonts/..%5c..%5csecret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_outside_what_docgen_renders(server, path):
    status, body, _ = get(server, path)
    assert status in (403, 404), (path, status)
    assert b"not for the browser" not in body and b"root:" not in body


def test_what_the_server_does_serve(server):
    status, body, headers = get(server, "/files/templates/pdf/agreement.css")
    assert status == 200 and body == (PROJECT / "templates" / "pdf" / "agreement.css").read_bytes()
    status, body, headers = get(server, "/clause/jangka-waktu")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert headers["x-content-type-options"] == "nosniff"
    status, body, headers = get(server, "/")
    assert status == 200 and "script-src 'self'" in headers["content-security-policy"]


def test_only_loopback_names_and_only_reading(server):
    """A page on another site cannot reach the preview through a name it controls (DNS rebinding),
    and nothing sent to the server is rendered: it answers GET only."""
    assert get(server, "/", host="attacker.example")[0] == 400
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert get(server, "/api/doc/bali-ntb/mou", method=method)[0] == 405
    assert server.hostname == "127.0.0.1"


def test_downloads_are_built_once_by_the_incremental_build(server, root, tmp_path):
    status, body, headers = get(server, "/download/bali-ntb/mou.docx")
    assert status == 200, body
    assert headers["content-disposition"].endswith('filename="bali-ntb-mou.docx"')
    built = root / "output" / "bali-ntb" / "mou.docx"
    assert built.read_bytes() == body
    (tmp_path / "mou.docx").write_bytes(body)
    assert "word/document.xml" in zipfile.ZipFile(tmp_path / "mou.docx").namelist()
    # a second download finds the file up to date: served again from output/, not rewritten
    written = built.stat().st_mtime_ns
    assert get(server, "/download/bali-ntb/mou.docx")[1] == body
    assert built.stat().st_mtime_ns == written
    assert not (root / "output" / "bali-ntb" / "mou.pdf").exists()


def test_a_download_of_a_broken_document_says_why(server, root):
    clause = root / "clauses" / "common" / "penutup.md"
    original = clause.read_text(encoding="utf-8")
    clause.write_text(original + "\n{{ para_pihakk }}\n", encoding="utf-8")
    try:
        status, body, _ = get(server, "/download/bali-ntb/mou.pdf")
    finally:
        clause.write_text(original, encoding="utf-8")
    assert status == 409
    assert body.decode().startswith("clauses/common/penutup.md:")


def test_open_shows_the_catalogue_in_the_users_browser(project_copy, tmp_path):
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    with preview_server(project_copy, "--open", env={"BROWSER": str(browser)}) as url:
        status, body, _ = get(urllib.parse.urlsplit(url), "/")
        assert status == 200
        for _ in range(100):  # the browser command runs beside the server
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.05)
    assert opened.read_text().strip() == url


def test_a_port_in_use_is_one_line(project_copy):
    with preview_server(project_copy) as url:
        result = docgen("preview", "--port", str(urllib.parse.urlsplit(url).port), cwd=project_copy)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot listen on 127.0.0.1:") and "Traceback" not in result.stderr
