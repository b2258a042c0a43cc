"""Time meetings: the calendar invite of a settled window, read by a real iCalendar parser, and
the page: created with the days/times switch, painted by mouse, finger and keyboard, read in
another zone, updated live, accessible."""
import datetime as dt
import urllib.request

import pytest

import icalendar


def test_a_settled_window_is_a_timed_event_that_calendars_read_in_utc(api):
    # Given a Berlin meeting on its autumn change, settled on the second 02:00 for an hour
    created = api.call("POST", "/v1/meetings", {
        "kind": "times", "dates": ["2026-10-25"], "day_start": "01:00", "day_end": "04:00",
        "slot_minutes": 30, "time_zone": "Europe/Berlin"})
    code, key = created["url_code"], created["organiser_key"]
    api.call("PATCH", f"/v1/meetings/{code}/title", {"title": "Nachtschicht; Übergabe"})
    meeting = api.call("PUT", f"/v1/meetings/{code}/final_slot",
                       {"start": "2026-10-25T02:00:00+01:00", "minutes": 60},
                       headers={"authorization": f"Bearer {key}"})
    assert meeting["final_slot"]["end"] == "2026-10-25T03:00:00+01:00"
    # When a calendar reads the invite
    with urllib.request.urlopen(api.base + f"/v1/meetings/{code}/event.ics", timeout=10) as r:
        calendar = icalendar.Calendar.from_ical(r.read())
    [event] = list(calendar.walk("VEVENT"))
    # Then it is that hour, 01:00 to 02:00 UTC, with its title and zone
    assert event.decoded("dtstart") == dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.timezone.utc)
    assert event.decoded("dtend") == dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.timezone.utc)
    assert str(event["summary"]) == "Nachtschicht; Übergabe"
    assert "Europe/Berlin" in str(event["description"])
    assert str(event["uid"]) == f"{code}@meetifyr"


# ---------- the page ----------
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from calendar_days import START, iso
from test_pages import eventually, meeting_code

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def time_meeting(api, zone="Asia/Seoul", days=3, start="09:00", end="12:00", slot=30):
    dates = [iso(START + dt.timedelta(days=i)) for i in range(days)]
    return api.call("POST", "/v1/meetings", {"kind": "times", "dates": dates, "day_start": start,
                                             "day_end": end, "slot_minutes": slot, "time_zone": zone})["url_code"]


def join(context, code, name):
    page = context.new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#times-grid")
    return page


def slot_cell(page, row, col):
    return page.locator(f'#times-grid td[data-row="{row}"][data-col="{col}"]')


def centre(page, row, col):
    cell = slot_cell(page, row, col)
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def free_of(api, code, name):
    """The slot starts `name` is free in (GET lists them as indices into `slots`)."""
    meeting = api.meeting(code)
    [person] = [p for p in meeting["participants"] if p["name"] == name]
    return [meeting["slots"][i]["start"] for i in person["free"]]


def at(day, time, offset="+09:00"):
    return f"{iso(START + dt.timedelta(days=day))}T{time}:00{offset}"


LAYOUTS = {
    "laptop": {},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}


def day_label(day):
    """How the create page's calendar names a day, in English: "Tue, Dec 8"."""
    return f"{day:%a}, {day:%b} {day.day}"


def choose_two_weeks_of_tuesdays_and_thursdays(page, title):
    """On the create page: times of day over two weeks from START, Tuesdays and Thursdays."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Times of day").check()
    page.get_by_label("Start").fill(iso(START))
    page.get_by_label("End").fill(iso(START + dt.timedelta(days=13)))
    page.get_by_label("Tue", exact=True).check()
    page.get_by_label("Thu", exact=True).check()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_time_meeting_is_created_on_the_page_with_weekdays_hours_and_zone(context_factory, api, layout):
    # Given the create page in a browser in Seoul, on a laptop or a phone
    page = context_factory(**LAYOUTS[layout]).new_page()
    page.goto("/")
    # When times of day are chosen: two weeks, Tuesdays and Thursdays, 10:00 to 13:00 hourly
    choose_two_weeks_of_tuesdays_and_thursdays(page, "Standup")
    page.get_by_label("Earliest").select_option("10:00")
    page.get_by_label("Latest").select_option("13:00")
    page.get_by_label("Slot length").select_option("60")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Seoul")
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+\?new=1"))
    # Then the meeting has the four chosen days, three hours each, in the browser's zone
    m = api.meeting(meeting_code(page))
    assert m["kind"] == "times" and m["title"] == "Standup"
    assert m["time_grid"] == {"dates": [iso(START + dt.timedelta(days=d)) for d in (1, 3, 8, 10)],
                              "day_start": "10:00", "day_end": "13:00", "slot_minutes": 60,
                              "time_zone": "Asia/Seoul"}
    expect(page.locator("#zone-line")).to_have_text("Times are in Asia/Seoul.")
    expect(page.locator("#times-group tbody tr")).to_have_count(3)
    if layout == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide on a 375 px screen"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_days_are_chosen_one_by_one_on_the_calendar(context_factory, api, layout):
    # Given the create page with times of day over two weeks, Tuesdays and Thursdays ticked
    page = context_factory(**LAYOUTS[layout]).new_page()
    page.goto("/")
    choose_two_weeks_of_tuesdays_and_thursdays(page, "Picked")
    # Then the calendar shows the fortnight with those four days ticked
    days = page.locator('#pick-months input[name="date"]')
    expect(days).to_have_count(14)
    expect(page.locator('#pick-months input[name="date"]:checked')).to_have_count(4)
    # When the second Thursday is unticked and the first Saturday ticked
    for day, on in ((10, False), (5, True)):
        box = page.get_by_label(day_label(START + dt.timedelta(days=day)), exact=True)
        box.locator("xpath=..").click()  # the day's number, as a person taps it
        expect(box).to_be_checked(checked=on)
    # And the range is widened by a day: the ticks stay
    page.get_by_label("End").fill(iso(START + dt.timedelta(days=14)))
    page.get_by_label("End").dispatch_event("change")
    expect(days).to_have_count(15)
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+\?new=1"))
    # Then the meeting asks about exactly the days ticked
    m = api.meeting(meeting_code(page))
    assert m["time_grid"]["dates"] == [iso(START + dt.timedelta(days=d)) for d in (1, 3, 5, 8)]


def test_the_calendar_of_days_is_walked_with_arrow_keys(context_factory, api):
    # Given the create page with times of day over two weeks from a Monday, Tuesdays and
    # Thursdays ticked (days 1, 3, 8, 10)
    page = context_factory().new_page()
    page.goto("/")
    choose_two_weeks_of_tuesdays_and_thursdays(page, "Keys")
    page.get_by_label(day_label(START + dt.timedelta(days=1)), exact=True).focus()
    # When the keyboard walks from the first Tuesday: a week down (day 8) and Space, a day right
    # (9) and Space, a week down past the end (stays on 9), a week up (2) and Space, two days
    # left (0) and Space, a day left before the start (stays on 0) and Space
    keys = ["ArrowDown", "Space", "ArrowRight", "Space", "ArrowDown", "ArrowUp", "Space",
            "ArrowLeft", "ArrowLeft", "Space", "ArrowLeft", "Space"]
    for key in keys:
        page.keyboard.press(key)
    # Then day 8 is unticked, days 9 and 2 ticked, and day 0 ticked and unticked again
    ticked = page.locator('#pick-months input[name="date"]:checked')
    want = [iso(START + dt.timedelta(days=d)) for d in (1, 2, 3, 9, 10)]
    expect(ticked).to_have_count(len(want))
    assert [ticked.nth(i).get_attribute("value") for i in range(len(want))] == want


def test_a_rectangle_painted_by_mouse_marks_every_slot_inside_it(context_factory, api):
    code = time_meeting(api)
    page = join(context_factory(), code, "Mouse")
    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "PUT" else None)
    # When the mouse drags from 09:00 of the first day to 10:00 of the second
    page.mouse.move(*centre(page, 0, 0))
    page.mouse.down()
    page.mouse.move(*centre(page, 1, 1), steps=4)
    page.mouse.move(*centre(page, 2, 1), steps=4)
    page.mouse.up()
    # Then the six slots of that rectangle are free, saved in one call
    want = sorted(at(d, t) for d in (0, 1) for t in ("09:00", "09:30", "10:00"))
    assert eventually(lambda: sorted(free_of(api, code, "Mouse")), want, page=page) == want
    page.wait_for_timeout(200)
    assert len(sent) == 1
    # And a drag that starts on a marked slot clears what it covers
    page.mouse.move(*centre(page, 0, 0))
    page.mouse.down()
    page.mouse.move(*centre(page, 0, 1), steps=4)
    page.mouse.up()
    want = sorted(at(d, t) for d in (0, 1) for t in ("09:30", "10:00"))
    assert eventually(lambda: sorted(free_of(api, code, "Mouse")), want, page=page) == want


def test_a_finger_paints_on_a_phone_while_the_grid_scrolls_sideways(context_factory, api):
    # Given a week of slots on a 375 px touch screen: wider than the screen
    code = time_meeting(api, days=7)
    context = context_factory(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    page = join(context, code, "Phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    scroller = page.locator("#times-grid").locator("xpath=..")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    # When a finger slides down the first day from 09:00 to 10:30
    cdp = context.new_cdp_session(page)
    point = lambda xy: {"x": xy[0], "y": xy[1]}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point(centre(page, 0, 0))]})
    for row in (1, 2, 3):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point(centre(page, row, 0))]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(page.locator("#save-status")).to_have_text("Saved")
    # Then those four slots are free
    assert sorted(free_of(api, code, "Phone")) == sorted(at(0, t) for t in ("09:00", "09:30", "10:00", "10:30"))
    # And the hour column stays in view when the grid is scrolled to the last day
    scroller.evaluate("e => e.scrollLeft = e.scrollWidth")
    hour = page.locator("#times-grid th.hour").first.bounding_box()
    assert 0 <= hour["x"] < 375


def test_an_answer_can_be_given_with_the_keyboard_alone(context_factory, api):
    code = time_meeting(api)
    page = join(context_factory(), code, "Keys")
    # When the first slot is focused, marked, and the arrow moves to the next day's and marks it
    page.locator('#times-grid input[name="free"]').first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    # Then those three are free
    want = sorted([at(0, "09:00"), at(1, "09:00"), at(1, "09:30")])
    assert eventually(lambda: sorted(free_of(api, code, "Keys")), want) == want


def test_a_viewer_elsewhere_can_see_the_times_in_their_own_zone(context_factory, api):
    # Given a Seoul meeting opened in New York
    code = time_meeting(api)
    page = context_factory(timezone_id="America/New_York").new_page()
    page.goto(f"/m/{code}")
    # Then the meeting's zone is named, and the switch offers the viewer's
    expect(page.locator("#zone-line")).to_have_text("Times are in Asia/Seoul.")
    switch = page.get_by_role("button", name="Show in my time zone (America/New_York)")
    # When it is pressed, 09:00 in Seoul reads as 19:00 the day before in New York
    switch.click()
    expect(page.locator("#zone-line")).to_have_text("Times are in America/New_York.")
    expect(page.locator("#times-group th.hour").first).to_have_text("19:00")
    # And back
    page.get_by_role("button", name="Show in the meeting's time zone (Asia/Seoul)").click()
    expect(page.locator("#times-group th.hour").first).to_have_text("09:00")


def test_the_best_times_follow_the_viewers_zone(context_factory, api):
    # Given a Seoul meeting whose best slot is 10:00 on its first day, opened in New York
    code = time_meeting(api)
    person = api.join(code, "Early")["participant_id"]
    api.answer(code, person, [at(0, "10:00")])
    page = context_factory(timezone_id="America/New_York").new_page()
    page.goto(f"/m/{code}")
    best = page.locator("#best li time").first
    expect(best).to_contain_text("10:00")
    # When the viewer's zone is chosen, it reads as 20:00 the evening before
    page.get_by_role("button", name="Show in my time zone (America/New_York)").click()
    expect(best).to_contain_text("20:00")
    day_before = START - dt.timedelta(days=1)
    expect(best).to_contain_text(f"{day_before:%b} {day_before.day}")
    # And after a live update too
    other = api.join(code, "Late")["participant_id"]
    api.answer(code, other, [at(0, "10:00")])
    expect(page.locator("#best li").first).to_contain_text("2/2 free")
    expect(best).to_contain_text("20:00")


def test_other_peoples_slots_appear_live_and_the_page_is_accessible(context_factory, api):
    code = time_meeting(api)
    watcher = context_factory().new_page()
    watcher.goto(f"/m/{code}")
    watcher.wait_for_timeout(300)
    first = watcher.locator(f'#times-group a.slot[data-start="{at(0, "09:00")}"]')
    expect(first).to_have_text("0")
    # When someone answers through the API
    person = api.join(code, "Live")["participant_id"]
    api.answer(code, person, [at(0, "09:00")])
    # Then the watcher's count changes within a second, and the everyone-free mark shows
    expect(first).to_have_text("1", timeout=1000)
    expect(first).to_have_class(re.compile(r"\ball\b"))
    # And the best times list that slot, as the server ranked it
    best = watcher.locator("#best li")
    expect(best).to_have_count(1)
    expect(best.first.locator("time")).to_have_attribute("datetime", at(0, "09:00"))
    expect(best.first).to_contain_text("1/1 free")
    expect(watcher.locator("#best-none")).to_be_hidden()
    for scheme in ("light", "dark"):
        watcher.emulate_media(color_scheme=scheme)
        results = Axe().run(watcher, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
    # And the joined view too
    page = join(context_factory(), code, "Axe")
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_the_organiser_settles_on_a_window_from_the_page(context_factory, api):
    # Given a time meeting just created through the page (its organiser key in this browser)
    page = context_factory().new_page()
    page.goto("/")
    page.get_by_label("Title").fill("Retro")
    page.get_by_label("Times of day").check()
    page.get_by_label("Start").fill(iso(START))
    page.get_by_label("End").fill(iso(START + dt.timedelta(days=1)))
    page.get_by_label("Earliest").select_option("09:00")
    page.get_by_label("Latest").select_option("12:00")
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+\?new=1"))
    code = meeting_code(page)
    expect(page.locator("#org-final-slot")).to_be_visible()
    # When the organiser settles on 10:00 of the second day for 90 minutes
    page.locator("#org-slot").select_option(at(1, "10:00"))
    page.locator("#org-minutes").select_option("90")
    page.locator("#org-final-slot button[type=submit]").click()
    # Then everyone sees it, with the calendar invite
    expect(page.locator("#final")).to_be_visible()
    expect(page.locator("#final-slot")).to_contain_text("10:00 – 11:30")
    assert api.meeting(code)["final_slot"] == {"start": at(1, "10:00"), "end": at(1, "11:30"), "minutes": 90}
    watcher = context_factory().new_page()
    watcher.goto(f"/m/{code}")
    expect(watcher.locator("#final-slot")).to_contain_text("10:00 – 11:30")
    expect(watcher.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    # And a window that does not fit the day is refused with the reason
    page.locator("#org-slot").select_option(at(1, "11:30"))
    page.locator("#org-final-slot button[type=submit]").click()
    expect(page.locator("#org-status")).to_contain_text("does not fit")


def test_a_star_stroke_stars_the_slots_and_makes_them_free(context_factory, api):
    code = time_meeting(api)
    page = join(context_factory(), code, "Stars")
    # When the star mode paints 09:30 to 10:00 of the first day
    page.get_by_label("★ Star").check()
    page.mouse.move(*centre(page, 1, 0))
    page.mouse.down()
    page.mouse.move(*centre(page, 2, 0), steps=4)
    page.mouse.up()
    # Then both are starred and free, and the page shows the stars
    want = [at(0, "09:30"), at(0, "10:00")]

    def starred():
        meeting = api.meeting(code)
        [person] = [p for p in meeting["participants"] if p["name"] == "Stars"]
        return [meeting["slots"][i]["start"] for i in person["starred"]]

    assert eventually(starred, want, page=page) == want
    assert sorted(free_of(api, code, "Stars")) == want
    expect(page.locator(f'#times-grid input[name="star"][value="{at(0, "09:30")}"]')).to_be_checked()


def test_the_group_view_marks_starred_slots_and_names_who_starred_them(context_factory, api):
    # Given two people free at 09:30 on the first day, one of whom stars it
    code = time_meeting(api)
    starred_by = api.join(code, "Mina")["participant_id"]
    api.answer(code, starred_by, [at(0, "09:30")], [at(0, "09:30")])
    other = api.join(code, "Jun")["participant_id"]
    api.answer(code, other, [at(0, "09:30"), at(0, "10:00")])
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    # Then that slot carries a star, read out with its count, and the next one none
    cell = page.locator(f'#times-group a.slot[data-start="{at(0, "09:30")}"]')
    expect(cell.locator(".stars")).to_have_count(1)
    expect(cell).to_have_attribute("aria-label", re.compile(r"2 of 2 free, ★ 1"))
    expect(page.locator(f'#times-group a.slot[data-start="{at(0, "10:00")}"] .stars')).to_have_count(0)
    # And the best times list it first, with its star
    expect(page.locator("#best li").first).to_contain_text("2/2 free · 1★")
    # When the slot is opened, Then the detail names who starred it
    cell.click()
    expect(page.locator("#detail")).to_contain_text("★ (1)")
    expect(page.locator("#detail dd").last).to_have_text("Mina")
    # And a live update keeps the star: a third person stars 10:00
    third = api.join(code, "Sora")["participant_id"]
    api.answer(code, third, [at(0, "10:00")], [at(0, "10:00")])
    expect(page.locator(f'#times-group a.slot[data-start="{at(0, "10:00")}"] .stars')).to_have_count(1)
    expect(cell.locator(".stars")).to_have_count(1)
