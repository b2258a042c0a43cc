"""The answer deadline and lock (issue 23), in a real Chromium: the organiser closes answers and
reopens them from the panel while a participant watches, a deadline shown in the organiser's
zone, a time meeting's page once closed, and no accessibility violations at 375 px."""
import datetime as dt
import os
import urllib.error

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import ARTIFACTS
from calendar_days import START, iso
from test_organiser import create_as_organiser


def as_participant(context, api, code, name):
    """A page of `code` in `context`, answering as a new participant called `name`."""
    pid = api.join(code, name)["participant_id"]
    page = context.new_page()
    page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": api.base + "/"}])
    page.goto(f"/m/{code}")
    return page


def test_closing_and_reopening_answers_reaches_a_participant_live(context_factory, api):
    # Given an organiser and a participant with the answer grid open
    page, code = create_as_organiser(context_factory())
    other = as_participant(context_factory(), api, code, "Alex")
    expect(other.locator("#answer")).to_be_visible()
    # When the organiser closes answers now, by keyboard
    page.get_by_role("button", name="Close answers now").focus()
    page.keyboard.press("Enter")
    # Then the participant's page says so without a reload of theirs, and the grid is gone
    expect(other.locator("#deadline")).to_contain_text("Answers closed", timeout=5000)
    expect(other.locator("#deadline")).to_contain_text("The organiser can reopen them.")
    expect(other.locator("#answer")).to_have_count(0)
    assert api.meeting(code)["answers_open"] is False
    try:
        api.join(code, "Late")
        raise AssertionError("joined after answers closed")
    except urllib.error.HTTPError as refused:
        assert refused.code == 423
    # And a new visitor is not offered to join
    visitor = context_factory().new_page()
    visitor.goto(f"/m/{code}")
    expect(visitor.locator("#join-form")).to_have_count(0)
    # When the organiser reopens
    expect(page.get_by_role("button", name="Reopen answers")).to_be_visible()
    page.get_by_role("button", name="Reopen answers").click()
    # Then the participant can answer again
    expect(other.locator("#answer")).to_be_visible(timeout=5000)
    expect(other.locator("#deadline")).to_have_count(0)
    assert api.meeting(code)["answers_open"] is True


def test_a_deadline_is_set_in_the_organisers_zone_and_shown_to_everyone(context_factory, api):
    # Given an organiser in Seoul (the browser's zone) and a watcher in New York
    page, code = create_as_organiser(context_factory())
    watcher = context_factory(timezone_id="America/New_York").new_page()
    watcher.goto(f"/m/{code}")
    # When the organiser sets the deadline at 18:00 on New Year's Day 2100, and asks for the
    # meeting to close after its last day too
    page.get_by_label("Close answers at").fill("2100-01-01T18:00")
    page.get_by_label("Also close once the last day has passed").check()
    page.get_by_role("button", name="Set deadline").click()
    # Then the meeting closes at the end of its last day in Seoul (15:00 UTC), which comes first
    last = START + dt.timedelta(days=6)
    expect(watcher.locator("#deadline time")).to_have_attribute("datetime", f"{iso(last)}T15:00:00Z", timeout=5000)
    meeting = api.meeting(code)
    assert meeting["deadline"] == "2100-01-01T18:00:00+09:00"
    assert meeting["deadline_time_zone"] == "Asia/Seoul"
    assert meeting["close_after_last_day"] is True
    expect(watcher.locator("#deadline")).to_contain_text("Answers close")
    expect(watcher.locator("#deadline")).to_contain_text("00:00 (Asia/Seoul)")
    # And the panel shows the deadline as set when opened again
    page.reload()
    expect(page.get_by_label("Close answers at")).to_have_value("2100-01-01T18:00")


def test_a_closed_time_meeting_says_so_and_offers_no_grid(context_factory, api):
    # Given a time meeting whose organiser closed answers
    created = api.call("POST", "/v1/meetings", {"kind": "times", "dates": [iso(START)], "day_start": "09:00",
                                                "day_end": "12:00", "slot_minutes": 60, "time_zone": "Asia/Seoul"})
    code, key = created["url_code"], created["organiser_key"]
    page = as_participant(context_factory(), api, code, "Alex")
    expect(page.locator("#times-answer")).to_be_visible()
    api.call("PUT", f"/v1/meetings/{code}/deadline", {"deadline": "now"}, headers={"authorization": f"Bearer {key}"})
    # Then the open page follows, and says answers closed
    expect(page.locator("#deadline")).to_contain_text("Answers closed", timeout=5000)
    expect(page.locator("#times-answer")).to_have_count(0)


def test_a_closed_meeting_has_no_accessibility_violations(context_factory, api):
    page, code = create_as_organiser(context_factory())
    api.join(code, "Alex")
    page.get_by_role("button", name="Close answers now").click()
    expect(page.get_by_role("button", name="Reopen answers")).to_be_visible(timeout=5000)
    for locale, scheme in [("ko-KR", "light"), ("ko-KR", "dark"), ("en-US", "dark")]:
        view = context_factory(viewport={"width": 375, "height": 667}, color_scheme=scheme, locale=locale).new_page()
        view.goto(f"/m/{code}")
        expect(view.locator("#deadline")).to_be_visible()
        if locale == "ko-KR":
            expect(view.locator("#deadline")).to_contain_text("응답이 마감됐어요")
        results = Axe().run(view, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        assert results.violations_count == 0, results.generate_report()
        assert view.evaluate("document.documentElement.scrollWidth") <= 375
        view.locator("section.head").screenshot(path=os.path.join(ARTIFACTS, f"closed-375-{locale}-{scheme}.png"))
