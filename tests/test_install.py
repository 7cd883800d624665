"""The install contract, checked end to end: the built wheel in a brand-new ``wagtail start`` project.

The project gets at most four added lines (two INSTALLED_APPS entries and the URL include), migrates, gets an
invoice, and is served by ``runserver``. Then: the token link answers 200, the slug path 404, and the
sitemap, the site search and the pages API do not mention the invoice.

To stay fast (well under 90 s) the temporary virtualenv does not download anything: it reuses the test
environment's already-installed dependencies through a ``.pth`` line placed *after* its own site-packages,
and the wheel is installed into the venv itself, so the ``caseflow_wagtail`` that runs is the built wheel
(asserted below), not the working tree.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "caseflow_wagtail"
PROJECT = "lawsite"
INVOICE_NUMBER = "ZQX-7731"
CLIENT_NAME = "Quillfeather Ventures"

# -- helpers shared with test_example_site -----------------------------------------------------------------


def run(
    args: list[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with its output (a bare CalledProcessError hides it)."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    headers: Mapping[str, str]


def http_get(url: str) -> Response:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return Response(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode(errors="replace"), dict(error.headers))


@contextlib.contextmanager
def serve(
    python: Path | str, project_dir: Path, env: Mapping[str, str], port: int | None = None
) -> Iterator[str]:
    """``manage.py runserver`` on the port (or a free one) while the block runs; yields the base URL."""
    port = port or free_port()
    log = Path(tempfile.gettempdir()) / f"caseflow-runserver-{port}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(python), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=project_dir,
            env=dict(env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"runserver exited {process.returncode}:\n{log.read_text()[-4000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"runserver did not start in 60 s:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a site's subprocesses: none of the test suite's Django or Python settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", **extra)
    return env


# -- the wheel ------------------------------------------------------------------------------------------


def _source_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}
    }


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files a release is built from, copied so the build leaves nothing in the working tree."""
    src = tmp_path_factory.mktemp("src")
    for name in (
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "MANIFEST.in",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
    ):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / PACKAGE, src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return src


@pytest.fixture(scope="module")
def wheel(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # An isolated build, as a release is built; pip's cache keeps the build backend's download one-off.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, source_copy])
    wheels = list(out.glob("caseflow_wagtail-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.install
def test_wheel_carries_templates_static_migrations_and_py_typed(wheel: Path, source_copy: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert f"{PACKAGE}/py.typed" in names
    assert any(re.fullmatch(rf"{PACKAGE}/templates/.+\.html", name) for name in names)
    assert any(re.fullmatch(rf"{PACKAGE}/static/.+\.css", name) for name in names)
    assert f"{PACKAGE}/migrations/0001_initial.py" in names
    # Everything in the package directory ships (templates or data files in sub-packages too), and nothing
    # from outside it.
    missing = {f"{PACKAGE}/{name}" for name in _source_files(source_copy / PACKAGE)} - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == {PACKAGE}, f"unexpected top-level entries in the wheel: {top_level - {PACKAGE}}"


# -- a brand-new site -----------------------------------------------------------------------------------

# What the site itself configures, not part of the plugin's install: the sitemap and the pages API, so the
# test can check that neither reveals an invoice.
SITE_OWN_SETTINGS = """
INSTALLED_APPS += ["wagtail.contrib.sitemaps", "django.contrib.sitemaps", "wagtail.api.v2", "rest_framework"]
"""
SITE_OWN_URL_IMPORTS = """from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.contrib.sitemaps.views import sitemap

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
"""
SEARCH_ROUTE = '    path("search/", search_views.search, name="search"),\n'
SITE_OWN_ROUTES = '    path("api/v2/", api_router.urls),\n    path("sitemap.xml", sitemap),\n'

# The plugin's install: these are the only lines a site adds.
INSTALLED_APPS_ANCHOR = "INSTALLED_APPS = [\n"
PLUGIN_APPS = '    "caseflow_wagtail",\n    "wagtail.contrib.settings",\n'
PLUGIN_ROUTE = '    path("billing/", include("caseflow_wagtail.urls")),\n'

CREATE_INVOICE = f"""
import datetime, json
from decimal import Decimal
from django.urls import reverse
from wagtail.models import Site
from caseflow_wagtail.models import Client, InvoiceIndexPage, InvoiceLine, InvoicePage

site = Site.objects.get(is_default_site=True)
home = site.root_page
folder = home.add_child(instance=InvoiceIndexPage(title="Invoices", slug="invoices"))
client = Client.objects.create(name="{CLIENT_NAME}", contact_email="ap@quillfeather.example")
today = datetime.date.today()
invoice = InvoicePage(
    invoice_number="{INVOICE_NUMBER}", client=client, issue_date=today,
    due_date=today + datetime.timedelta(days=30), currency="EUR", live=False,
)
invoice.lines.add(
    InvoiceLine(description="Shareholder agreement", quantity=Decimal(2), unit_price=Decimal("410.00"))
)
folder.add_child(instance=invoice)
invoice.save_revision().publish()
invoice.refresh_from_db()
print(json.dumps({{
    "id": invoice.pk,
    "token": invoice.public_token,
    "link": invoice.get_url(),
    "slug_path": invoice.url_path[len(home.url_path) - 1:],
    "title": invoice.title,
}}))
"""


def _insert_once(text: str, anchor: str, addition: str, *, before: bool = False) -> str:
    assert text.count(anchor) == 1, f"the wagtail start template changed: {anchor!r} not found exactly once"
    return text.replace(anchor, addition + anchor if before else anchor + addition)


def _added_and_removed(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    added: list[str] = []
    removed: list[str] = []
    for name, old in before.items():
        for line in difflib.unified_diff(old.splitlines(), after[name].splitlines(), lineterm="", n=0):
            if line.startswith("+") and not line.startswith("+++"):
                added.append(line[1:])
            elif line.startswith("-") and not line.startswith("---"):
                removed.append(line[1:])
    return added, removed


@dataclass(frozen=True)
class Site:
    python: Path
    directory: Path
    env: dict[str, str]
    invoice: dict[str, str]


@pytest.fixture(scope="module")
def new_site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("install")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    own_site_packages = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip()
    )
    # Dependencies come from the test environment, read-only and after the venv's own site-packages.
    test_env_paths = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (own_site_packages / "zz_reuse_test_environment.pth").write_text("\n".join(test_env_paths) + "\n")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            wheel,
        ]
    )

    env = clean_env()
    imported = run(
        [python, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], cwd=root, env=env
    ).stdout.strip()
    assert Path(imported).is_relative_to(own_site_packages), (
        f"{PACKAGE} imported from {imported}, not the wheel"
    )
    # The wheel's declared dependencies are satisfied by what it runs with.
    run([sys.executable, "-m", "pip", "--python", python, "check"], env=env)

    run(
        [
            python,
            "-c",
            "import sys; from wagtail.bin.wagtail import main; sys.argv[0] = 'wagtail'; main()",
            "start",
            PROJECT,
        ],
        cwd=root,
        env=env,
    )
    project = root / PROJECT
    settings_file = project / PROJECT / "settings" / "base.py"
    urls_file = project / PROJECT / "urls.py"

    # The site's own configuration first (sitemap, API), so that the plugin's lines can be counted alone.
    settings_file.write_text(settings_file.read_text() + SITE_OWN_SETTINGS)
    urls = urls_file.read_text()
    urls = _insert_once(urls, "urlpatterns = [\n", SITE_OWN_URL_IMPORTS + "\n", before=True)
    urls_file.write_text(_insert_once(urls, SEARCH_ROUTE, SITE_OWN_ROUTES))

    before = {"settings": settings_file.read_text(), "urls": urls_file.read_text()}
    settings_file.write_text(_insert_once(before["settings"], INSTALLED_APPS_ANCHOR, PLUGIN_APPS))
    urls_file.write_text(_insert_once(before["urls"], SEARCH_ROUTE, PLUGIN_ROUTE))
    after = {"settings": settings_file.read_text(), "urls": urls_file.read_text()}
    added, removed = _added_and_removed(before, after)
    assert not removed, removed
    assert 0 < len(added) <= 4, added

    checks = run([python, "manage.py", "check"], cwd=project, env=env)
    reported = re.findall(r"caseflow_wagtail\.[EW]\d{3}", checks.stdout + checks.stderr)
    # Nothing to fix for the install itself. A new site whose SQLite transactions are DEFERRED is told to
    # make them IMMEDIATE (W014), since a webhook and a confirmation page may write at the same moment;
    # whether `wagtail start` leaves them DEFERRED depends on the Django and Wagtail versions.
    assert set(reported) <= {"caseflow_wagtail.W014"}, reported
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=project, env=env)
    created = run([python, "manage.py", "shell", "-c", CREATE_INVOICE], cwd=project, env=env)
    invoice = json.loads(created.stdout.strip().splitlines()[-1])
    # Index everything a search could find, as a live site's index would be.
    run([python, "manage.py", "update_index"], cwd=project, env=env)
    return Site(python=python, directory=project, env=env, invoice=invoice)


def _mentions_invoice(text: str, invoice: Mapping[str, str]) -> list[str]:
    needles = [
        INVOICE_NUMBER,
        INVOICE_NUMBER.lower(),
        invoice["token"],
        invoice["slug_path"],
        invoice["title"],
    ]
    needles += ["/billing/invoice/", "/invoices/"]
    return [needle for needle in needles if needle in text]


@pytest.mark.install
def test_a_new_wagtail_site_serves_invoices_only_by_their_token_link(new_site: Site) -> None:
    invoice = new_site.invoice
    assert invoice["link"].endswith(f"/billing/invoice/{invoice['token']}/")
    assert invoice["slug_path"] == "/invoices/zqx-7731/"

    with serve(new_site.python, new_site.directory, new_site.env) as base:
        page = http_get(base + invoice["link"])
        assert page.status == 200, page.body[:2000]
        assert INVOICE_NUMBER in page.body and "Shareholder agreement" in page.body
        assert "noindex" in page.headers.get("X-Robots-Tag", "")

        assert http_get(base + invoice["slug_path"]).status == 404
        assert http_get(base + "/invoices/").status == 404
        assert http_get(base + "/billing/invoice/not-the-token/").status == 404

        # The sitemap lists the site's pages, but not the invoice.
        sitemap = http_get(base + "/sitemap.xml")
        assert sitemap.status == 200 and "<loc>" in sitemap.body, sitemap.body[:2000]
        assert not _mentions_invoice(sitemap.body, invoice), sitemap.body

        # The search that `wagtail start` generates finds pages, but never the invoice.
        home = http_get(base + "/search/?query=Home")
        assert home.status == 200 and re.search(r'<h4><a href="[^"]*">Home</a></h4>', home.body), home.body
        for query in (INVOICE_NUMBER, "Invoice", CLIENT_NAME, "Shareholder"):
            found = http_get(base + "/search/?" + urllib.parse.urlencode({"query": query}))
            assert found.status == 200
            results = found.body.split("</form>", 1)[1]  # the form echoes the query back
            assert "No results found" in results, results
            assert not _mentions_invoice(results, invoice), results

        # The pages API lists live public pages, but not the invoice (nor its folder).
        listing = http_get(base + "/api/v2/pages/")
        assert listing.status == 200, listing.body[:2000]
        data = json.loads(listing.body)
        assert data["meta"]["total_count"] >= 1
        assert not _mentions_invoice(listing.body, invoice), listing.body
        assert http_get(f"{base}/api/v2/pages/{invoice['id']}/").status == 404
        by_type = http_get(base + "/api/v2/pages/?type=caseflow_wagtail.InvoicePage")
        assert by_type.status == 400 or json.loads(by_type.body)["meta"]["total_count"] == 0, by_type.body
        searched = http_get(base + "/api/v2/pages/?search=" + INVOICE_NUMBER)
        assert searched.status in (200, 400)
        assert not _mentions_invoice(searched.body, invoice), searched.body


# -- the documentation keeps up with the code ------------------------------------------------------------


def test_every_setting_and_system_check_is_documented() -> None:
    """docs/settings.md names every CASEFLOW_WAGTAIL key; docs/install.md every system check id."""
    from caseflow_wagtail import conf

    settings_doc = (REPO / "docs" / "settings.md").read_text()
    undocumented = [key for key in conf.DEFAULTS if f"`{key}`" not in settings_doc]
    assert not undocumented, f"add these CASEFLOW_WAGTAIL keys to docs/settings.md: {undocumented}"

    check_ids = set()
    for source in (REPO / PACKAGE).rglob("*.py"):
        check_ids |= set(re.findall(r"caseflow_wagtail\.[EW]\d{3}", source.read_text()))
    install_doc = (REPO / "docs" / "install.md").read_text()
    missing = sorted(check_id for check_id in check_ids if f"`{check_id}`" not in install_doc)
    assert check_ids and not missing, f"add these system checks to docs/install.md: {missing}"
