"""The organiser's and participants' controls in a real Chromium: the organiser link, changing
the dates, settling on a date with a calendar file (read back by an independent iCalendar
parser), deleting, every day ranked, the CSV download, and an answer protected by a password."""
import csv
import datetime as dt
import io
import os
import re

import icalendar
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import ARTIFACTS
from calendar_days import START, iso
from test_pages import meeting_code, dates_of


def create_as_organiser(context, title="Team dinner", days=6):
    """Creates a meeting through the page, as a person would; returns the page and the code."""
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Start").fill(iso(START))
    page.get_by_label("End").fill(iso(START + dt.timedelta(days=days)))
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+\?new=1"))
    expect(page.locator("#organiser")).to_be_visible()
    return page, meeting_code(page)


def test_the_organiser_link_stays_in_this_browser_and_opens_the_panel_elsewhere(context_factory, api):
    # Given a meeting just created through the page
    page, code = create_as_organiser(context_factory())
    # Then the key has left the address bar, and the panel offers the organiser link
    assert page.url.endswith("#organiser"), page.url
    link = page.locator("#organiser-link").input_value()
    assert re.fullmatch(rf"http://[^/]+/m/{code}#organiser=[A-Za-z0-9]{{22}}", link), link
    # And it stays after a reload in this browser
    page.goto(f"/m/{code}")
    expect(page.locator("#organiser")).to_be_visible()
    # When someone else opens the public link, Then there is no panel
    visitor = context_factory().new_page()
    visitor.goto(f"/m/{code}")
    expect(visitor.get_by_role("heading", name="Team dinner")).to_be_visible()
    assert visitor.locator("#organiser").is_hidden()
    # When the organiser opens their link on another device, Then the panel is there too
    other_device = context_factory().new_page()
    other_device.goto(link)
    expect(other_device.locator("#organiser")).to_be_visible()


def test_the_organiser_changes_the_dates_after_a_confirmation_keeping_answers(context_factory, api):
    # Given a meeting of 7 days where Alex is busy on the 3rd day
    page, code = create_as_organiser(context_factory())
    alex = api.join(code, "Alex")["participant_id"]
    days = [iso(START + dt.timedelta(days=i)) for i in range(7)]
    api.answer(code, alex, [d for d in days if d != days[2]])
    page.reload()
    # When the organiser moves the range two days later but cancels the confirmation
    page.once("dialog", lambda d: d.dismiss())
    page.locator("#org-start").fill(days[2])
    page.locator("#org-end").fill(iso(START + dt.timedelta(days=8)))
    page.get_by_role("button", name="Change dates").click()
    page.wait_for_timeout(300)
    # Then nothing changed
    assert api.meeting(code)["start_date"] == days[0]
    # When confirmed
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Change dates").click()
    # Then the page shows the new range, Alex is still busy on that day, the new days free
    expect(page.locator(f'#group a.day[href="?day={iso(START + dt.timedelta(days=8))}#detail"]')).to_be_visible()
    meeting = api.meeting(code)
    assert (meeting["start_date"], meeting["end_date"]) == (days[2], iso(START + dt.timedelta(days=8)))
    mine = dates_of(meeting, "Alex")
    assert mine[days[2]]["enabled"] is False
    assert all(mine[iso(START + dt.timedelta(days=i))]["enabled"] for i in (3, 7, 8))


def test_settling_on_a_date_reaches_everyone_and_the_calendar_file_parses(context_factory, api):
    # Given an organiser and a participant watching the same meeting
    page, code = create_as_organiser(context_factory(accept_downloads=True), title="송년회, 2차")
    api.call("PATCH", f"/v1/meetings/{code}/location", {"location": "강남역; 2번 출구"})
    watcher = context_factory(accept_downloads=True).new_page()
    watcher.goto(f"/m/{code}")
    expect(watcher.locator("#live-status")).to_have_text("")
    assert watcher.locator("#final").is_hidden()
    # When the organiser settles on the 4th day
    chosen = iso(START + dt.timedelta(days=3))
    page.get_by_label("Date to settle on").select_option(chosen)
    page.get_by_role("button", name="Settle on this date").click()
    # Then the watcher sees it without reloading, with an "add to calendar" button
    expect(watcher.locator("#final")).to_be_visible(timeout=5000)
    assert watcher.locator("#final-day").get_attribute("datetime") == chosen
    assert api.meeting(code)["final_date"] == chosen
    # And the file it downloads is one all-day event, read by an independent parser
    with watcher.expect_download() as download:
        watcher.get_by_role("link", name="Add to calendar (.ics)").click()
    path = download.value.path()
    calendar = icalendar.Calendar.from_ical(open(path, "rb").read())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == dt.date.fromisoformat(chosen)
    assert event.decoded("dtend") == dt.date.fromisoformat(chosen) + dt.timedelta(days=1)
    assert str(event["summary"]) == "송년회, 2차"
    assert str(event["location"]) == "강남역; 2번 출구"
    assert str(event["url"]).endswith(f"/m/{code}")
    uid = str(event["uid"])
    # And settling on another day keeps the event's UID (calendars update it, not duplicate it)
    page.get_by_label("Date to settle on").select_option(iso(START))
    page.get_by_role("button", name="Settle on this date").click()
    expect(watcher.locator("#final-day")).to_have_attribute("datetime", iso(START))
    again = icalendar.Calendar.from_ical(api_bytes(api, f"/v1/meetings/{code}/event.ics"))
    assert str(next(iter(again.walk("VEVENT")))["uid"]) == uid
    # And "Undo" clears it for everyone
    page.get_by_role("button", name="Undo").click()
    expect(watcher.locator("#final")).to_be_hidden()


def api_bytes(api, path):
    import urllib.request
    with urllib.request.urlopen(api.base + path, timeout=10) as r:
        return r.read()


def test_deleting_asks_first_and_then_the_meeting_is_gone_for_everyone(context_factory, api):
    page, code = create_as_organiser(context_factory())
    watcher = context_factory().new_page()
    watcher.goto(f"/m/{code}")
    # When the organiser declines the confirmation, Then nothing happens
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_role("button", name="Delete meeting").click()
    page.wait_for_timeout(300)
    assert api.status("GET", f"/v1/meetings/{code}") == 200
    # When confirmed, Then the organiser and the watcher are told, and the link is dead
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Delete meeting").click()
    expect(page.get_by_role("heading", name="The meeting was deleted.")).to_be_visible()
    expect(watcher.get_by_role("heading", name="The meeting was deleted.")).to_be_visible(timeout=5000)
    assert api.status("GET", f"/v1/meetings/{code}") == 404
    page.goto(f"/m/{code}")
    assert page.locator("h1").inner_text() != "Team dinner"


def test_every_day_ranked_and_the_answers_as_a_spreadsheet(context_factory, api):
    # Given three people over five days
    code = api.create(iso(START), iso(START + dt.timedelta(days=4)), title="Ranked")
    days = [iso(START + dt.timedelta(days=i)) for i in range(5)]
    for name, free, starred in [("Kim", days[1:3], [days[2]]), ("Lee", [days[0], days[2]], []), ("Park", [days[2]], [])]:
        api.answer(code, api.join(code, name)["participant_id"], free, starred)
    page = context_factory(accept_downloads=True).new_page()
    page.goto(f"/m/{code}")
    # When "every day, ranked" is opened
    page.locator("#ranking summary").click()
    items = page.locator("#ranking li")
    expect(items).to_have_count(5)
    # Then the days come in the API's ranking order, with their counts
    ranking = api.call("GET", f"/v1/meetings/{code}/ranking")["days"]
    shown = [items.nth(i).locator("time").get_attribute("datetime") for i in range(5)]
    assert shown == [d["date"] for d in ranking]
    assert "3/3 free · 1★" in items.nth(0).inner_text()
    # And the download button gives the answers as CSV, Korean-safe (BOM), one row per person
    with page.expect_download() as download:
        page.get_by_role("link", name="Download answers (CSV)").click()
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["name", *days]
    assert rows[1] == ["Kim", "busy", "free", "★", "busy", "busy"]
    assert [r[0] for r in rows[1:]] == ["Kim", "Lee", "Park"]


def test_a_protected_answer_asks_for_its_password(context_factory, api):
    # Given 민지 joins with a password and paints without being asked again in this tab
    code = api.create(iso(START), iso(START + dt.timedelta(days=6)))
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("민지")
    page.get_by_label("Password (optional)").fill("달빛 2026")
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#answer")
    page.locator("#answer td:has(input) label:first-child").first.click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert dates_of(api.meeting(code), "민지")[iso(START)]["enabled"] is False
    # When another browser says "that's me" with a wrong password, Then it is refused
    other = context_factory().new_page()
    other.goto(f"/m/{code}")
    other.get_by_label("Already answered? Choose who you are").select_option(label="민지 🔒")
    other.get_by_label("Password", exact=True).fill("guess")
    other.get_by_role("button", name="That's me").click()
    expect(other.get_by_role("alert")).to_have_text("That password is not right.")
    assert other.locator("#answer").count() == 0
    # When with the right one, Then it answers as 민지, and a change is saved
    other.get_by_label("Already answered? Choose who you are").select_option(label="민지 🔒")
    other.get_by_label("Password", exact=True).fill("달빛 2026")
    other.get_by_role("button", name="That's me").click()
    other.wait_for_selector("#answer")
    other.locator("#answer td:has(input) label:first-child").nth(1).click()
    expect(other.locator("#save-status")).to_have_text("Saved")
    assert dates_of(api.meeting(code), "민지")[iso(START + dt.timedelta(days=1))]["enabled"] is False
    # And a third browser that claims the name through "not you?" without it cannot edit:
    # a tick is rolled back and the page asks for the password
    third = context_factory().new_page()
    third.context.add_cookies([{"name": f"me_{code}", "value": str(api.meeting(code)["participants"][0]["id"]),
                                "url": f"{api.base}/m/{code}"}])
    third.goto(f"/m/{code}")
    box = third.locator("#answer td:has(input) input[name=free]").nth(2)
    assert box.is_checked()
    third.locator("#answer td:has(input) label:first-child").nth(2).click()
    expect(third.locator("#save-status")).to_have_text("Enter your password to change your answer.")
    assert box.is_checked(), "rolled back"
    assert dates_of(api.meeting(code), "민지")[iso(START + dt.timedelta(days=2))]["enabled"] is True


def test_the_organiser_panel_has_no_accessibility_violations(context_factory, api):
    for scheme in ["light", "dark"]:
        context = context_factory(viewport={"width": 375, "height": 667}, color_scheme=scheme, locale="ko-KR")
        page = context.new_page()
        page.goto("/")
        page.get_by_label("모임 이름").fill("송년회")
        page.get_by_role("button", name="앞으로 4주").click()
        page.get_by_role("button", name="모임 만들기").click()
        expect(page.locator("#organiser")).to_be_visible()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        assert results.violations_count == 0, results.generate_report()
        page.locator("#organiser").screenshot(path=os.path.join(ARTIFACTS, f"organiser-375-{scheme}.png"))


def test_the_organiser_duplicates_the_meeting_and_lands_on_the_copy_as_its_organiser(context_factory, api):
    # Given a meeting where Alex answered (busy on the first day)
    page, code = create_as_organiser(context_factory(), title="Weekly lunch")
    alex = api.join(code, "Alex")["participant_id"]
    api.answer(code, alex, [iso(START + dt.timedelta(days=i)) for i in range(1, 7)])
    page.reload()
    expect(page.locator("#organiser")).to_be_visible()
    # When the organiser duplicates it two weeks later, by keyboard
    weeks = page.get_by_label("Weeks later")
    weeks.fill("2")
    weeks.press("Tab")
    page.keyboard.press("Enter")
    # Then they are on the copy's page, as its organiser
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+#organiser"))
    copy = meeting_code(page)
    assert copy != code
    expect(page.locator("#organiser")).to_be_visible()
    expect(page.get_by_role("heading", name="Weekly lunch")).to_be_visible()
    # And the copy is two weeks later with Alex in it, who has not answered it
    meeting = api.meeting(copy)
    assert meeting["start_date"] == iso(START + dt.timedelta(days=14))
    assert meeting["end_date"] == iso(START + dt.timedelta(days=20))
    assert [p["name"] for p in meeting["participants"]] == ["Alex"]
    assert all(d["enabled"] for d in dates_of(meeting, "Alex").values())
    # And the original is as it was
    assert dates_of(api.meeting(code), "Alex")[iso(START)]["enabled"] is False


def test_the_subscribe_link_serves_the_candidates_as_a_feed_calendars_read(context_factory, api):
    # Given a meeting where two people answered, seen in Korean
    code = api.create(iso(START), iso(START + dt.timedelta(days=6)), title="워크숍")
    for name, days in [("민지", (1, 2)), ("서준", (2, 3))]:
        who = api.join(code, name)["participant_id"]
        api.answer(code, who, [iso(START + dt.timedelta(days=i)) for i in days])
    page = context_factory(locale="ko-KR").new_page()
    page.goto(f"/m/{code}")
    # When the subscribe link is followed by a calendar
    link = page.get_by_role("link", name="캘린더에서 구독")
    href = link.get_attribute("href")
    assert href == f"/v1/meetings/{code}/calendar.ics?lang=ko"
    calendar = icalendar.Calendar.from_ical(api_bytes(api, href))
    # Then an independent parser reads the best days as tentative events, the best first
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events][0] == START + dt.timedelta(days=2)
    assert {str(e["status"]) for e in events} == {"TENTATIVE"}
    assert str(events[0]["summary"]) == "워크숍 (후보 1: 2명 중 2명 가능)"
    assert str(calendar["x-wr-calname"]) == "워크숍"
