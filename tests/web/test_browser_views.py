"""The roster matrix, the chart views and search in a real browser (Debian's chromium through
Playwright), at a desktop width (1400 px) and a phone width (390 px). Each test saves its pages as
screenshots, test artefacts to look at: into $MINERALGRAPH_SCREENSHOTS, else test-artefacts/screenshots/."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("MINERALGRAPH_SCREENSHOTS") or ROOT / "test-artefacts" / "screenshots")
DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}


def shoot(page, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def no_sideways_scroll(page):
    """The page itself never scrolls sideways (wide tables scroll inside their own box)."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_msp_matrix(browser_page, real_live):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(real_live.url + "/id/mechanism/msp")
    matrix = page.locator("#roster table.matrix")
    heads = matrix.locator("thead th").all_inner_texts()
    col = {re.search(r"(\d{3})\s*$", h).group(1): i for i, h in enumerate(heads) if re.search(r"(\d{3})\s*$", h)}
    assert set(col) == {"000", "001", "002", "003", "004"}

    def cell(member, source):
        row = matrix.locator("tbody tr", has=page.locator(f"th >> text='{member}'"))
        return row.locator("td").nth(col[source] - 1)

    # 001's closed list "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"
    assert cell("India", "001").locator("a").get_attribute("data-status") == "omitted-closed"
    assert "conflict" not in cell("India", "001").get_attribute("class")
    # 000's open list "…英国和其他国家一起加入了…"
    assert cell("Sweden", "000").locator("a").get_attribute("data-status") == "omitted-open"
    assert cell("Japan", "001").locator("a").get_attribute("data-status") == "named"
    shoot(page, "matrix-msp")
    cell("Japan", "001").locator("a").click()
    page.wait_for_url(re.compile(r"/id/claim/001/2297-2353$"))
    assert "日本" in page.locator("h1.claim-title").inner_text()  # the quote, shown once, as the heading
    page.set_viewport_size(PHONE)
    page.goto(real_live.url + "/id/mechanism/msp")
    no_sideways_scroll(page)
    page.locator("#roster").scroll_into_view_if_needed()
    shoot(page, "matrix-msp", full_page=False)
    assert page.outside_requests == []


CLICK_FIRST_MARK = """(view) => {
  const chart = window.mineralgraphChart, el = document.getElementById('chart');
  const box = el.getBoundingClientRect();
  const option = chart.getOption();
  const s = option.series[0];
  if (view === 'network') {
    const data = chart.getModel().getSeriesByIndex(0).getData();
    let best = 0;
    for (let i = 0; i < data.count(); i++) if (data.getRawDataItem(i).value > data.getRawDataItem(best).value) best = i;
    const layout = data.getItemLayout(best);
    const [x, y] = chart.convertToPixel({seriesIndex: 0}, layout);
    return {x: box.left + x, y: box.top + y, href: data.getRawDataItem(best).href, name: data.getRawDataItem(best).name};
  }
  // the newest mark: the timeline opens on the recent years (the oldest are a slider away)
  const item = s.data.filter((d) => d.href).slice(-1)[0];
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, item.value.slice(0, 2));
  return {x: box.left + x, y: box.top + y, href: item.href, name: item.row.mechanismLabel || item.row.listLabel};
}"""

# The network's marks whose symbol covers a point of the page: [x, y] -> their hrefs.
MARKS_AT = """([px, py]) => {
  const chart = window.mineralgraphChart, box = document.getElementById('chart').getBoundingClientRect();
  const data = chart.getModel().getSeriesByIndex(0).getData(), out = [];
  for (let i = 0; i < data.count(); i++) {
    const [x, y] = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
    let size = data.getItemVisual(i, 'symbolSize');
    size = Array.isArray(size) ? Math.max(...size) : size;
    if (Math.hypot(box.left + x - px, box.top + y - py) <= size / 2 + 1) out.push(data.getRawDataItem(i).href);
  }
  return out;
}"""


@pytest.mark.parametrize("view, rows_at_least", [("timeline", 100), ("lists", 9), ("network", 100)])
def test_view_draws_and_marks_link_to_pages(browser_page, real_live, view, rows_at_least):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(real_live.url + f"/views/{view}")
    page.wait_for_selector("#chart[data-ready=true] canvas")
    rows = int(re.match(r"(\d+) rows", page.locator("#chart-status").inner_text()).group(1))
    assert rows >= rows_at_least
    page.wait_for_timeout(800)  # let the first animation finish before measuring
    # the chart fills its box: the box is sized for the data before echarts measures it (a chart
    # initialised first kept the CSS min-height and drew the lists' bars 2 px tall)
    box, canvas = page.evaluate("""() => [document.getElementById('chart').clientHeight,
                                          document.querySelector('#chart canvas').getBoundingClientRect().height]""")
    assert box > 450 and abs(box - canvas) <= 2, (box, canvas)
    shoot(page, f"view-{view}")
    mark = page.evaluate(CLICK_FIRST_MARK, view)
    for _ in range(40):  # the network's force layout may still be moving: click where the mark has come to rest
        page.wait_for_timeout(250)
        now = page.evaluate(CLICK_FIRST_MARK, view)
        if abs(now["x"] - mark["x"]) < 1 and abs(now["y"] - mark["y"]) < 1:
            break
        mark = now
    assert mark["href"].startswith("/id/")
    # a smaller node may lie on top of the network's biggest one (two CI runs landed on Australia's
    # page): the click leads to the page of a mark drawn at that point
    under = page.evaluate(MARKS_AT, [mark["x"], mark["y"]]) if view == "network" else [mark["href"]]
    assert mark["href"] in under
    if view == "network":
        # another node's label may lie over the point too (a CI run landed on the EU's page, whose
        # label covered the USA's node): the mark the pointer is over is a mark at that point as well
        page.evaluate("""() => { window.pointedAt = null;
            window.mineralgraphChart.on('mouseover', (p) => { window.pointedAt = p.data && p.data.href; }); }""")
        page.mouse.move(mark["x"], mark["y"])
        page.wait_for_function("() => window.pointedAt !== null")
        pointed = page.evaluate("() => window.pointedAt")
        assert pointed.startswith("/id/"), pointed
        under.append(pointed)
    page.mouse.click(mark["x"], mark["y"])
    # the mark leads to its page: the navigation is what is checked, not how long the page then
    # takes to load on a busy machine (a CI run waited 20 s for an entity page's load event)
    page.wait_for_url(re.compile(r"/id/[^?#]+$"), wait_until="commit")
    assert urlsplit(page.url).path in under, (page.url, under)
    page.set_viewport_size(PHONE)
    page.goto(real_live.url + f"/views/{view}")
    page.wait_for_selector("#chart[data-ready=true] canvas")
    no_sideways_scroll(page)
    page.wait_for_timeout(800)
    shoot(page, f"view-{view}")
    assert page.outside_requests == []


def test_network_filters(browser_page, real_live):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(real_live.url + "/views/network")
    page.select_option("select[name=kind]", "minilateral")
    page.locator("form.view-filters button").click()
    page.wait_for_url(re.compile(r"/views/network\?kind=minilateral"))
    page.wait_for_selector("#chart[data-ready=true] canvas")
    filtered = int(re.match(r"(\d+) rows", page.locator("#chart-status").inner_text()).group(1))
    all_rows = len(page.request.get(real_live.url + "/queries/membership-network?format=json").json()["results"]["bindings"])
    assert 0 < filtered < all_rows
    shoot(page, "view-network-minilateral")


def test_search_box_and_did_you_mean(browser_page, real_live):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(real_live.url + "/id/source/001")
    box = page.locator("form.site-search input[name=q]")
    box.fill("礦產安全")  # Traditional, as 002 writes it
    page.wait_for_function("() => document.querySelectorAll('#site-search-names option').length > 0")
    options = page.locator("#site-search-names option")
    assert "Minerals Security Partnership" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.locator("ol.search-results li a").first.inner_text() == "Minerals Security Partnership"
    shoot(page, "search")
    page.goto(real_live.url + "/id/mechanism/MSP")
    link = page.locator("p.did-you-mean a").first
    assert link.inner_text() == "Minerals Security Partnership"
    shoot(page, "did-you-mean")
    link.click()
    page.wait_for_url(re.compile(r"/id/mechanism/msp$"))
    page.set_viewport_size(PHONE)
    page.goto(real_live.url + "/search?q=Japan")
    no_sideways_scroll(page)
    shoot(page, "search")
    assert page.outside_requests == []


def test_result_rows_read_as_cards_on_a_phone(browser_page, real_live):
    """At 390 px each result row is a card: every value visible under its column's name, nothing
    hidden behind a sideways scroll. The US list of 2022 dropped 5 minerals; 002: "2022年在剔除氦、鉀、錸、鍶和鈾等5種礦產后"."""
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(real_live.url + "/queries/list-changes?from=us%2F2018&to=us%2F2022")
    no_sideways_scroll(page)
    rows = page.locator("table.results tbody tr")
    removed = [rows.nth(i) for i in range(rows.count()) if "removed" in rows.nth(i).inner_text()]
    assert sorted(r.locator("td[data-col=mineral]").inner_text() for r in removed) == \
        ["helium", "potash", "rhenium", "strontium", "uranium"]
    for cell in removed[0].locator("td").all():
        if cell.inner_text().strip():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, cell.get_attribute("data-col")
    label = page.evaluate("""() => getComputedStyle(document.querySelector("table.results td[data-col=change]"), "::before").content""")
    assert label.strip('"').strip() == "change"
    shoot(page, "list-changes-cards", full_page=False)
