"""Regenerate the screenshots in docs/screenshots/ (listed in docs/screenshots/README.md).

    .venv/bin/mineralgraph build
    .venv/bin/python tools/screenshots.py                 # serves dist/ itself on a free port
    .venv/bin/python tools/screenshots.py --url http://127.0.0.1:8000   # or a running server
    .venv/bin/python tools/screenshots.py --only roster   # the shots whose name contains "roster"

Drives Debian's chromium (/usr/bin/chromium, or $MINERALGRAPH_CHROMIUM) through Playwright, as the
browser tests do; Chinese text needs a CJK font (fonts-wqy-microhei or fonts-noto-cjk, see .ci/run).
Each shot is a viewport-sized PNG (no full-page captures, so each stays small); the list of pages,
viewports and what to wait for is SHOTS below.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("MINERALGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DESKTOP = (1400, 900)
PHONE = (390, 844)

# name, path, viewport, selector to wait for (None: the load event), what to do before the shot
# ("#id ...": scroll that element to the top; "center:SELECTOR": scroll it to the middle;
#  "run-first-tab": run the editor's first query)
SHOTS = [
    ("home", "/", DESKTOP, None, None),
    ("phone-home", "/", PHONE, None, None),
    ("phone-home-answers", "/", PHONE, None, "#lists"),
    ("editor", "/editor", DESKTOP, ".yasgui .tabsList", None),
    ("phone-editor", "/editor", PHONE, ".yasgui .tabsList", None),
    ("sparql-editor-results", "/editor", DESKTOP, None, "run-first-tab"),
    ("queries-list", "/queries", DESKTOP, None, None),
    ("mechanism-msp", "/id/mechanism/msp", DESKTOP, None, None),
    ("roster-matrix-msp", "/queries/roster-matrix?mechanism=MSP", DESKTOP, "table", "#results"),
    ("mechanism-roster-msp", "/queries/mechanism-roster?mechanism=MSP", DESKTOP, "table", "#results"),
    ("roster-disagreements-msp", "/queries/roster-disagreements?mechanism=MSP", DESKTOP, "table", "#results"),
    ("list-changes-us-2018-2022", "/queries/list-changes?from=us%2F2018&to=us%2F2022", DESKTOP, "table", "#results"),
    ("mineral-timeline-lithium", "/queries/mineral-timeline?mineral=lithium", DESKTOP, "table", "#results"),
    ("view-timeline", "/views/timeline", DESKTOP, "canvas", None),
    ("view-lists", "/views/lists", DESKTOP, "canvas", None),
    ("view-network", "/views/network", DESKTOP, "canvas", None),
    ("search-typo", "/search?q=Minerls+Security", DESKTOP, None, None),
    ("search-fulltext", "/search?q=%E6%95%B0%E6%8D%AE%E4%B8%AD%E5%BF%83", DESKTOP, None, None),
    ("phone-search-fulltext", "/search?q=%E6%95%B0%E6%8D%AE%E4%B8%AD%E5%BF%83", PHONE, None, "#claim-results"),
    ("search-regional", "/search?q=%E6%BE%B3%E6%B4%B2", DESKTOP, None, None),
    ("country-jpn", "/id/country/JPN", DESKTOP, None, None),
    ("source-001", "/id/source/001", DESKTOP, None, None),
    ("source-001-text", "/id/source/001", DESKTOP, None, "center:pre.source-text mark"),
    ("source-001-reading", "/id/source/001?view=reading", DESKTOP, None, "center:pre.source-text mark"),
    ("claim-001-roster-gloss", "/id/claim/001/2297-2353", DESKTOP, None, None),
    ("claim-001-cite", "/id/claim/001/2297-2353", DESKTOP, None, "#cite"),
    ("phone-claim-001", "/id/claim/001/2297-2353", PHONE, None, None),
    ("phone-claim-001-cite", "/id/claim/001/2297-2353", PHONE, None, "#cite"),
    ("source-001-cite", "/id/source/001", DESKTOP, None, "#cite"),
    ("void", "/void", DESKTOP, None, None),
    ("service-description", "/sparql?format=html", DESKTOP, None, None),
    ("dump-index", "/dump/", DESKTOP, None, None),
    ("not-found", "/id/mechanism/MSPP", DESKTOP, None, None),
    ("shapes", "/shapes", DESKTOP, None, None),
    ("phone-shapes", "/shapes", PHONE, None, None),
    ("phone-mechanism-msp", "/id/mechanism/msp", PHONE, None, None),
    ("phone-mechanism-msp-matrix", "/id/mechanism/msp", PHONE, None, "#roster table"),
    ("phone-roster-matrix", "/queries/roster-matrix?mechanism=MSP", PHONE, "table", "#results"),
    ("phone-list-changes", "/queries/list-changes?from=us%2F2018&to=us%2F2022", PHONE, "table", "#results"),
    # one row per fact (issue 23): the entity page's fact cards, the fact mode of mechanism-members
    ("mechanism-msp-statements", "/id/mechanism/msp", DESKTOP, None, "#statements"),
    ("members-facts-msp", "/queries/mechanism-members?mechanism=MSP&mode=facts", DESKTOP, "table", "#results"),
    ("phone-members-facts-msp", "/queries/mechanism-members?mechanism=MSP&mode=facts", PHONE, "table", "#results"),
    ("phone-country-jpn", "/id/country/JPN", PHONE, None, "#statements"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve() -> tuple[subprocess.Popen, str]:
    """`mineralgraph serve --no-build` on dist/ as built, on a free port; waits until /readyz."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mineralgraph.server", "--no-build", "--workers", "1",
                             "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its access log
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"the server exited with {proc.returncode} (run `mineralgraph build` first?)")
            time.sleep(0.5)
    proc.terminate()
    sys.exit("the server did not become ready in 60 s")


def take(url: str, only: str | None, out: Path = OUT) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for name, path, (width, height), wait_for, action in SHOTS:
            if only and only not in name:
                continue
            context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB",
                                          accept_downloads=False)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(url + path, wait_until="load")
            if wait_for:
                page.wait_for_selector(wait_for)
            if action == "run-first-tab":
                page.wait_for_selector(".yasgui .tabPanel.active .yasqe_queryButton")
                page.locator(".yasgui .tabPanel.active .yasqe_queryButton").click()
                page.wait_for_selector(".yasgui .tabPanel.active .yasr table.dataTable tbody tr")
                page.locator(".yasgui .tabPanel.active .yasr").scroll_into_view_if_needed()
            if action and action.startswith("#"):  # e.g. a stored query's results, not the form above
                page.locator(action).first.evaluate("e => e.scrollIntoView()")
            elif action and action.startswith("center:"):  # e.g. the first highlighted claim of a source
                page.locator(action[len("center:"):]).first.evaluate("e => e.scrollIntoView({block: 'center'})")
            page.wait_for_timeout(1500)  # charts animate in
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            written.append(target)
            print(f"{target}  {width}x{height}  {path}  {target.stat().st_size // 1024} KB")
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: serve dist/ on a free port)")
    parser.add_argument("--only", help="only the shots whose name contains this")
    parser.add_argument("--out", type=Path, help="write the shots here instead of docs/screenshots/ (e.g. of a grown corpus)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is not installed (apt-get install chromium fonts-wqy-microhei)")
    proc = None
    url = args.url
    if not url:
        proc, url = _serve()
    try:
        take(url.rstrip("/"), args.only, args.out or OUT)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
