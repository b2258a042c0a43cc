"""Busy days from a calendar file (issue 23), in a real Chromium: a participant picks their
exported calendar by keyboard, sees the days it has events on unticked and outlined, nothing
saved until Save; a time meeting's slots likewise; no accessibility violations at 375 px."""
import os
import pathlib

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import ARTIFACTS

CALENDARS = pathlib.Path(__file__).resolve().parents[1] / "calendars"
BUSY = ["2025-03-03", "2025-03-04", "2025-03-07", "2025-03-08", "2025-03-13", "2025-03-14", "2025-03-15"]


def answering(context, api, code, name="Kim"):
    pid = api.join(code, name)["participant_id"]
    page = context.new_page()
    page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": api.base + "/"}])
    page.goto(f"/m/{code}")
    return page, pid


def free_days(api, code, pid):
    person = next(p for p in api.meeting(code)["participants"] if p["id"] == pid)
    return [d["date"] for d in person["dates"] if d["enabled"]]


def test_a_google_calendar_proposes_busy_days_and_nothing_is_saved_until_save(context_factory, api):
    # Given Kim answering a two-week meeting (free on every day, as someone who just joined)
    code = api.create("2025-03-03", "2025-03-16", title="Offsite")
    page, kim = answering(context_factory(), api, code)
    # When Kim follows "Import busy days" by keyboard and picks their Google calendar file
    link = page.get_by_role("link", name="Import busy days from a calendar (.ics)")
    link.focus()
    page.keyboard.press("Enter")
    chooser = page.get_by_label("Calendar file (.ics, exported from Google, Apple or Outlook)")
    expect(chooser).to_be_visible()
    chooser.set_input_files(str(CALENDARS / "google.ics"))
    # Then the seven days with events are unticked and outlined, and the page says so
    expect(page.locator("#import-status")).to_have_text(
        "7 marked busy from your calendar (outlined). Check them, then press Save.")
    for day in BUSY:
        expect(page.locator(f'#answer input[name=free][value="{day}"]')).not_to_be_checked()
    expect(page.locator('#answer input[name=free][value="2025-03-10"]')).to_be_checked()
    # And nothing is saved yet
    assert len(free_days(api, code, kim)) == 14
    # When Kim presses Save
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    # Then the answer is the proposal: busy on those days, free on the rest
    saved = free_days(api, code, kim)
    assert not set(BUSY) & set(saved)
    assert len(saved) == 14 - len(BUSY)


def test_a_file_that_is_no_calendar_is_refused_on_the_page(context_factory, api, tmp_path):
    code = api.create("2025-03-03", "2025-03-16")
    page, _ = answering(context_factory(), api, code)
    page.goto(f"/m/{code}?import=1#import")
    bad = tmp_path / "notes.ics"
    bad.write_text("just some notes")
    page.get_by_label("Calendar file (.ics, exported from Google, Apple or Outlook)").set_input_files(str(bad))
    expect(page.locator("#import-status")).to_contain_text("not an iCalendar file")


def test_a_time_meeting_gets_its_busy_slots_unticked(context_factory, api):
    created = api.call("POST", "/v1/meetings", {"kind": "times", "dates": ["2025-03-03", "2025-03-04"],
                                                "day_start": "09:00", "day_end": "22:00", "slot_minutes": 60,
                                                "time_zone": "Asia/Seoul"})
    code = created["url_code"]
    pid = api.join(code, "Kim")["participant_id"]
    every = [s["start"] for s in api.meeting(code)["slots"] if s.get("start")]
    api.answer(code, pid, every)
    page = context_factory().new_page()
    page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": api.base + "/"}])
    page.goto(f"/m/{code}?import=1#import")
    page.get_by_label("Calendar file (.ics, exported from Google, Apple or Outlook)").set_input_files(
        str(CALENDARS / "google.ics"))
    expect(page.locator("#import-status")).to_contain_text("3 marked busy")
    expect(page.locator('#times-answer input[name=free][value="2025-03-03T19:00:00+09:00"]')).not_to_be_checked()
    expect(page.locator('#times-answer input[name=free][value="2025-03-03T18:00:00+09:00"]')).to_be_checked()


def test_the_import_view_has_no_accessibility_violations(context_factory, api):
    code = api.create("2025-03-03", "2025-03-16")
    pid = api.join(code, "Kim")["participant_id"]
    for locale, scheme in [("ko-KR", "light"), ("ko-KR", "dark"), ("en-US", "dark")]:
        page = context_factory(viewport={"width": 375, "height": 667}, color_scheme=scheme, locale=locale).new_page()
        page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": api.base + "/"}])
        page.goto(f"/m/{code}?import=1#import")
        page.locator("#ics-file").set_input_files(str(CALENDARS / "google.ics"))
        expect(page.locator("#import-status")).not_to_have_text("")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.locator("#answer-section").screenshot(path=os.path.join(ARTIFACTS, f"import-375-{locale}-{scheme}.png"))
