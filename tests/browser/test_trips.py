"""Days in a row and the people a meeting needs (issue 23), in a real Chromium: the form by
keyboard with live results, the same results without JavaScript, the organiser marking someone
required, and no accessibility violations at 375 px in both languages and themes."""
import datetime as dt
import os

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import ARTIFACTS
from calendar_days import START, iso
from test_organiser import create_as_organiser

DAYS = [iso(START + dt.timedelta(days=i)) for i in range(10)]


def trip_meeting(api):
    """Ten days from START (a Monday): Kim free on days 0–3, Lee on 2–6, Park on 2–4."""
    code = api.create(DAYS[0], DAYS[-1], title="Retreat")
    ids = {}
    for name, free in [("Kim", DAYS[0:4]), ("Lee", DAYS[2:7]), ("Park", DAYS[2:5])]:
        ids[name] = api.join(code, name)["participant_id"]
        api.answer(code, ids[name], free)
    return code, ids


def shown_runs(page):
    items = page.locator("#trip-results li")
    return [items.nth(i).locator("time").get_attribute("datetime") for i in range(items.count())]


def test_days_in_a_row_are_found_by_keyboard_and_follow_new_answers_live(context_factory, api):
    # Given the retreat meeting open in a browser
    code, ids = trip_meeting(api)
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    # When "Find days in a row" is followed and 3 days in a row are asked for, by keyboard only
    page.get_by_role("link", name="Find days in a row").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#trip-form")).to_be_visible()
    # (The link leads to the form: the next Tab reaches its first field.)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Days in a row", exact=True)).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    # Then the runs come in the API's order, best first, with how many are free on every day
    expect(page.locator("#trip-results li")).to_have_count(5)
    api_runs = api.call("GET", f"/v1/meetings/{code}/ranking?window=3")["day_windows"]
    assert shown_runs(page) == [w["start_date"] for w in api_runs[:5]]
    first = page.locator("#trip-results li").first
    assert first.locator("time").get_attribute("datetime") == DAYS[2]
    expect(first).to_contain_text("2/3 free on every day")
    assert "window=3" not in page.url, "answered in place by the API, without a reload"
    # When Kim, elsewhere, becomes free on days 0–6
    api.answer(code, ids["Kim"], DAYS[0:7])
    # Then the best run shows all three within a second
    expect(first).to_contain_text("3/3 free on every day", timeout=1000)
    # When weekends are left out and runs must start on a Friday
    page.get_by_label("Starting on").select_option(label="Friday")
    page.get_by_label("Leave out weekends (Sat, Sun)").check()
    page.get_by_role("button", name="Find").click()
    # Then the one run is Friday, Monday and Tuesday
    expect(page.locator("#trip-results li")).to_have_count(1)
    expect(page.locator("#trip-results li time")).to_have_attribute("datetime", DAYS[4])
    assert page.locator("#trip-results li time").inner_text().count("–") == 1


def test_days_in_a_row_work_without_javascript(context_factory, api):
    # Given the retreat meeting in a browser without JavaScript
    code, _ = trip_meeting(api)
    page = context_factory(java_script_enabled=False).new_page()
    page.goto(f"/m/{code}")
    page.get_by_role("link", name="Find days in a row").click()
    # When the form is sent
    page.get_by_label("Days in a row", exact=True).fill("2")
    page.get_by_label("At least this many free").fill("2")
    page.get_by_role("button", name="Find").click()
    # Then the server draws the API's runs, those with fewer than 2 free left out
    api_runs = api.call("GET", f"/v1/meetings/{code}/ranking?window=2&min_free=2")["day_windows"]
    assert shown_runs(page) == [w["start_date"] for w in api_runs[:5]]
    assert shown_runs(page)[0] == DAYS[2]
    expect(page.get_by_label("Days in a row", exact=True)).to_have_value("2")


def test_the_organiser_marks_someone_required_and_their_days_lead(context_factory, api):
    # Given an organiser's meeting where three people can come on day 0 and Boss on day 1 only
    page, code = create_as_organiser(context_factory())
    for name, free in [("Kim", [DAYS[0]]), ("Lee", [DAYS[0]]), ("Park", [DAYS[0]]), ("Boss", [DAYS[1]])]:
        api.answer(code, api.join(code, name)["participant_id"], free)
    page.reload()
    expect(page.locator("#best li").first.locator("time")).to_have_attribute("datetime", DAYS[0])
    # When the organiser ticks Boss under "People the meeting needs"
    page.locator("#org-required").get_by_label("Boss").check()
    # Then Boss's day leads the best dates, Boss is marked, and the API stored it
    expect(page.locator("#best li").first.locator("time")).to_have_attribute("datetime", DAYS[1])
    expect(page.locator("#chips").get_by_role("button", name="Boss (required)")).to_be_visible()
    expect(page.locator("#best li").nth(1)).to_contain_text("a required person can’t come")
    boss = next(p for p in api.meeting(code)["participants"] if p["name"] == "Boss")
    assert boss["required"] is True
    # And another browser sees it live
    other = context_factory().new_page()
    other.goto(f"/m/{code}")
    expect(other.locator("#best li").first.locator("time")).to_have_attribute("datetime", DAYS[1])
    # When the organiser unticks Boss, Then the plain ranking is back
    page.locator("#org-required").get_by_label("Boss").uncheck()
    expect(other.locator("#best li").first.locator("time")).to_have_attribute("datetime", DAYS[0], timeout=1000)


def test_days_in_a_row_have_no_accessibility_violations(context_factory, api):
    code, _ = trip_meeting(api)
    for locale, scheme in [("ko-KR", "light"), ("ko-KR", "dark"), ("en-US", "dark")]:
        page = context_factory(viewport={"width": 375, "height": 667}, color_scheme=scheme, locale=locale).new_page()
        page.goto(f"/m/{code}?window=3#trip")
        expect(page.locator("#trip-results li")).to_have_count(5)
        if locale == "ko-KR":
            expect(page.get_by_label("연속 일수", exact=True)).to_have_value("3")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.locator("#trip").screenshot(path=os.path.join(ARTIFACTS, f"trip-375-{locale}-{scheme}.png"))
