"""The HTML report in a real headless Chromium: its numbers match summary.json and its filters work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.engine.identity import mint_hub_id
from hub.testing import fake_store, put_records
from tests.hub.reconcile.conftest import person, reconcile

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), "Chromium is missing: apt-get install -y chromium (.ci/run does it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def hub(n: int) -> str:
    return mint_hub_id("src", "contacts", f"s{n}")


def test_page_numbers_match_the_summary_and_filters_narrow_the_table(migrated: Path, browser: Any) -> None:
    reconcile(migrated)  # an earlier, clean reconciliation: the drift chart gets two points
    dst = fake_store("dst")["contacts"]
    dst[hub(1)]["job_title"] = "Müdür"
    dst[hub(2)]["address.city"] = "<b>Ankara</b>"
    dst[hub(3)]["consent.email"] = "withdrawn"
    del dst[hub(4)]
    put_records("dst", "contacts", {"d-dup": person(5, email="CAGLA5@EXAMPLE.COM.TR")})
    outcome = reconcile(migrated)
    summary = json.loads((outcome.report_dir / "summary.json").read_text(encoding="utf-8"))
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto((outcome.report_dir / "report.html").as_uri())

    counts = page.eval_on_selector_all("[data-count]", "els => els.map(e => [e.dataset.count, e.textContent])")
    shown = {key: int(text.replace(",", "")) for key, text in counts}
    for key in ("matched", "differing", "differences", "hub_records", "consent_disagreements"):
        assert shown[key] == summary[key], key
    for group in ("records", "missing", "duplicates", "stale_links"):
        for system in ("src", "dst"):
            assert shown[f"{group}.{system}"] == summary[group][system], (group, system)
    fields = dict(page.eval_on_selector_all("#chart-fields .bar", "els => els.map(e => [e.dataset.label, "
                                                                   "Number(e.dataset.value)])"))
    assert fields == summary["field_differences"]
    bars = dict(page.eval_on_selector_all("#chart-overview .bar", "els => els.map(e => [e.dataset.label, "
                                                                   "Number(e.dataset.value)])"))
    assert bars["matched"] == summary["matched"] and bars["missing in dst"] == summary["missing"]["dst"]
    drift = page.eval_on_selector_all("#chart-drift .point", "els => els.map(e => Number(e.dataset.value))")
    assert drift == [h["differences"] for h in summary["history"]] == [0, summary["differences"]]
    assert page.locator("#differences tbody tr").count() == summary["differences"] == 5
    assert "<b>Ankara</b>" in page.inner_text("#differences")  # shown as text, never as markup

    page.select_option("#filter-kind", "field")
    assert page.inner_text("#shown-count") == str(summary["by_kind"]["field"])
    assert page.locator("#differences tbody tr:not(.hidden)").count() == summary["by_kind"]["field"] == 2
    page.select_option("#filter-kind", "")
    page.fill("#filter-text", "withdrawn")
    assert page.inner_text("#shown-count") == "1"
    assert errors == []
    assert all(url.startswith("file://") for url in requests)  # nothing fetched from a network
    page.close()
