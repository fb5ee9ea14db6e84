"""In a real Chromium (issue 22): the site search box suggests Australia for a typo and for 澳洲, a
full-text hit opens the quote highlighted in its source, and a claim page's citation is copied."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _options(page, typed: str) -> list[str]:
    box = page.locator("form.site-search input[data-suggest]")
    box.fill(typed)
    page.wait_for_function("() => document.querySelectorAll('form.site-search datalist option').length > 0")
    return page.evaluate("() => [...document.querySelectorAll('form.site-search datalist option')]"
                         ".map(o => o.value + ' | ' + o.label)")


def test_search_box_forgives_typos_and_regional_names(browser_page, real_live):
    browser_page.goto(real_live.url + "/search")
    assert any(o.startswith("Australia | did you mean?") for o in _options(browser_page, "Austrlia"))
    browser_page.goto(real_live.url + "/search")
    assert _options(browser_page, "澳洲")[0].startswith("Australia | country")


def test_full_text_hit_opens_the_quote_in_its_source(browser_page, real_live):
    browser_page.goto(real_live.url + "/search?q=数据中心")
    link = browser_page.locator("#claim-results ol a").first
    m = re.fullmatch(r"/id/source/(\d{3})#(claim-\d+-\d+)", link.get_attribute("href"))
    link.click()
    browser_page.wait_for_url(re.compile(rf"/id/source/{m.group(1)}#{m.group(2)}$"))
    assert "数据中心" in browser_page.locator(f"mark#{m.group(2)}").inner_text()


def test_claim_citation_is_copied(browser_page, real_live):
    browser_page.goto(real_live.url + "/id/claim/001/2297-2353")
    assert browser_page.locator("h1").inner_text().startswith("“参与这项矿物安全合作伙伴关系")
    browser_page.locator("button[data-copy]").click()
    browser_page.wait_for_function("() => document.querySelector('button[data-copy]').textContent === 'Copied'")
    selected = browser_page.evaluate("() => { const t = document.getElementById('citation-text');"
                                     " return t.value.substring(t.selectionStart, t.selectionEnd); }")
    assert "The Epoch Times, 2022-06-15." in selected and "https://www.epochtimes.com/gb/22/6/15/n13760282.htm" in selected
