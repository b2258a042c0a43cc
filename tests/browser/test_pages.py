"""The web app in a real Chromium: create, share, join, paint, keyboard, live, languages,
no JavaScript, escaping, and accessibility. Given/When/Then as the seeds write them.

No test reads today's date: meetings are on fixed days (calendar_days), and every browser's
clock is stopped at TODAY."""
import datetime as dt
import os
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from calendar_days import NOW, START, TODAY, days_from, first_of_next_month, iso, last_of_month
from conftest import ARTIFACTS


def meeting_code(page):
    match = re.search(r"/m/([A-Za-z0-9]+)", page.url)
    assert match, page.url
    return match.group(1)


def dates_of(meeting, name):
    person = next(p for p in meeting["participants"] if p["name"] == name)
    return {d["date"]: d for d in person["dates"]}


# ---------- create ----------

QUICK_PICK_DAYS = [
    dt.date(2027, 1, 31),  # the last day of a month: "this month" is one day, next month short
    dt.date(2028, 2, 10),  # a leap February
    dt.date(2026, 12, 20),  # next month is in the next year
    dt.date(2027, 6, 1),  # the first day of a month
]


def quick_pick_range(pick, today):
    """What each quick pick means, worked out here independently of the page's script."""
    if pick == "Next 4 weeks":
        return today, today + dt.timedelta(days=27)
    if pick == "This month":
        return today, last_of_month(today)
    start = first_of_next_month(today)
    return start, last_of_month(start)


@pytest.mark.parametrize("today", QUICK_PICK_DAYS, ids=iso)
@pytest.mark.parametrize("pick", ["Next 4 weeks", "This month", "Next month"])
def test_a_meeting_is_created_with_each_quick_pick(context_factory, api, pick, today):
    # Given the create page in a browser whose today is fixed
    now = dt.datetime.combine(today, dt.time(12), NOW.tzinfo)
    page = context_factory(now=now).new_page()
    page.goto("/")
    # When a title is typed, a quick pick chosen and the form sent
    page.get_by_label("Title").fill("Quarterly dinner")
    page.get_by_role("button", name=pick).click()
    page.get_by_role("button", name="Create meeting").click()
    # Then the meeting exists with that range and the share card shows its link
    page.wait_for_url(re.compile(r"/m/[A-Za-z0-9]+\?new=1"))
    meeting = api.meeting(meeting_code(page))
    start, end = quick_pick_range(pick, today)
    assert (meeting["start_date"], meeting["end_date"], meeting["title"]) == (iso(start), iso(end), "Quarterly dinner")
    assert page.locator("#share-link").input_value().endswith(f"/m/{meeting_code(page)}")
    assert page.locator(".qr svg").count() == 1


def test_today_is_the_persons_own_date_not_the_servers(context_factory, api):
    # Given a browser in Honolulu at 23:00 on 31 January, when it is already 1 February in UTC
    late = dt.datetime(2027, 1, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-10)))
    page = context_factory(now=late, timezone_id="Pacific/Honolulu").new_page()
    page.goto("/")
    # When "This month" is picked
    page.get_by_role("button", name="This month").click()
    # Then it is that person's January: one day, their today
    assert (page.get_by_label("Start").input_value(), page.get_by_label("End").input_value()) == ("2027-01-31", "2027-01-31")
    assert page.locator("#range-status").inner_text() == "1 day chosen"


def test_a_range_over_62_days_is_refused_while_choosing(page):
    # Given the create page
    page.goto("/")
    # When a range of 70 days is chosen
    page.get_by_label("Start").fill(iso(TODAY))
    page.get_by_label("End").fill(iso(TODAY + dt.timedelta(days=70)))
    page.get_by_label("End").dispatch_event("change")
    # Then the page says so at once, in words that agree with the count it shows, and does not send the form
    assert "at most 63 days" in page.locator("#range-status").inner_text()
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_timeout(300)
    assert "/m/" not in page.url
    assert page.locator("#end").evaluate("e => e.validity.valid") is False
    # When the end moves to 62 days after the start, Then those 63 days are accepted
    page.get_by_label("End").fill(iso(TODAY + dt.timedelta(days=62)))
    page.get_by_label("End").dispatch_event("change")
    assert page.locator("#range-status").inner_text() == "63 days chosen"
    assert page.locator("#end").evaluate("e => e.validity.valid") is True


def test_the_link_can_be_copied(context_factory):
    # Given a new meeting's share card, in a browser that lets the page use the clipboard
    context = context_factory(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Next 4 weeks").click()
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"\?new=1"))
    # When "Copy link" is pressed
    page.get_by_role("button", name="Copy link").click()
    # Then the clipboard holds the meeting's link
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#share-link").input_value()
    assert "Link copied" in page.locator("#copy-status").inner_text()


# ---------- join and answer ----------

def join_as(context_factory, code, name, locale="en-US", **options):
    """A browser that joined `code` as `name` and shows the answer grid."""
    page = context_factory(locale=locale, **options).new_page()
    page.goto(f"/m/{code}")
    page.locator("#name").fill(name)
    page.locator("#join-form button[type=submit]").click()
    page.wait_for_selector("#answer")
    return page


def cell(page, day):
    return page.locator(f'#answer td:has(input[value="{iso(day)}"])')


def middle(page, day):
    cell(page, day).scroll_into_view_if_needed()
    box = cell(page, day).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def shown_free(page, days):
    return [page.locator(f'#answer input[name=free][value="{iso(d)}"]').is_checked() for d in days]


def free_in_api(api, code, name, days):
    mine = dates_of(api.meeting(code), name)
    return [mine[iso(d)]["enabled"] for d in days]


def eventually(check, want, timeout=5.0, page=None):
    """`check()` once it equals `want` (the page saves in the background), else its last value.
    With `page`, waits through it, so that its route handlers run meanwhile."""
    deadline = time.monotonic() + timeout
    got = check()
    while got != want and time.monotonic() < deadline:
        if page is None:
            time.sleep(0.05)
        else:
            page.wait_for_timeout(50)
        got = check()
    return got


def strokes_sent(page):
    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "PUT" and r.url.endswith("/availability") else None)
    return sent


# Every weekday a range can start on, in both week layouts: Korean weeks start on Sunday,
# English ones on Monday, so the seven starts put the first day in every column of both.
@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
@pytest.mark.parametrize("weekday", range(7), ids=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
def test_a_stroke_covers_every_day_between_and_shrinks_when_moved_back(context_factory, api, locale, weekday):
    # Given a 14-day meeting starting on that weekday (START is a Monday), and 민지 joined
    start = START + dt.timedelta(days=weekday)
    assert start.weekday() == weekday
    days = days_from(start, 14)
    code = api.create(iso(days[0]), iso(days[-1]))
    page = join_as(context_factory, code, "민지", locale)
    sent = strokes_sent(page)
    # When she presses on the first day and drags to the seventh (across a row break unless the
    # first day opens a row), everyone starting free
    page.mouse.move(*middle(page, days[0]))
    page.mouse.down()
    page.mouse.move(*middle(page, days[6]), steps=10)
    # Then every day from the first to the seventh is painted busy, and none after
    assert shown_free(page, days[:8]) == [False] * 7 + [True]
    # When she moves back to the fourth day and lifts
    page.mouse.move(*middle(page, days[3]), steps=10)
    assert shown_free(page, days[:8]) == [False] * 4 + [True] * 4
    page.mouse.up()
    # Then the first four days are busy in the API, the rest free as before, in one request
    expect(page.locator("#save-status")).to_have_class(re.compile(r"\bgood\b"))
    assert eventually(lambda: free_in_api(api, code, "민지", days), [False] * 4 + [True] * 10) == [False] * 4 + [True] * 10
    assert len(sent) == 1
    # And after a reload too
    page.reload()
    assert shown_free(page, days) == [False] * 4 + [True] * 10


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_a_stroke_across_a_month_boundary_covers_the_days_of_both_months(context_factory, api, locale):
    # Given a meeting from Wednesday 28 April to 6 May, in two month grids
    days = days_from(dt.date(2027, 4, 28), 9)
    code = api.create(iso(days[0]), iso(days[-1]))
    page = join_as(context_factory, code, "Sam", locale)
    assert page.locator("#answer table").count() == 2
    # When Sam drags from 29 April to 2 May
    page.mouse.move(*middle(page, days[1]))
    page.mouse.down()
    page.mouse.move(*middle(page, days[4]), steps=12)
    page.mouse.up()
    # Then 29 and 30 April and 1 and 2 May are busy, and nothing else
    want = [True, False, False, False, False, True, True, True, True]
    assert eventually(lambda: free_in_api(api, code, "Sam", days), want) == want


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_a_stroke_that_leaves_the_days_keeps_its_last_day_and_follows_when_back(context_factory, api, locale):
    # Given a five-day meeting (Monday to Friday)
    days = days_from(START, 5)
    code = api.create(iso(days[0]), iso(days[-1]))
    page = join_as(context_factory, code, "Kim", locale)
    # When Kim drags from the second day to the last, past the range's end and off the grid,
    # then back in to the third day, and lifts
    page.mouse.move(*middle(page, days[1]))
    page.mouse.down()
    page.mouse.move(*middle(page, days[4]), steps=6)
    box = page.locator("#answer table").last.bounding_box()
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] + box["height"] + 40, steps=6)
    # Then while outside, the stroke still reaches the last day it touched
    assert shown_free(page, days) == [True, False, False, False, False]
    page.mouse.move(*middle(page, days[2]), steps=6)
    page.mouse.up()
    # Then the stroke ends on the third day: only the second and third are busy
    want = [True, False, False, True, True]
    assert eventually(lambda: free_in_api(api, code, "Kim", days), want) == want


def test_a_star_stroke_drawn_backwards_stars_every_day_between(context_factory, api):
    # Given a joined person in star mode, busy on the first day
    days = days_from(START, 7)
    code = api.create(iso(days[0]), iso(days[-1]))
    pid = api.join(code, "Lee")["participant_id"]
    api.answer(code, pid, [iso(d) for d in days[1:]])
    page = context_factory().new_page()
    page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": api.base + "/"}])
    page.goto(f"/m/{code}")
    page.get_by_label("★ Star").check()
    # When a stroke goes from the third day back to the first
    page.mouse.move(*middle(page, days[2]))
    page.mouse.down()
    page.mouse.move(*middle(page, days[0]), steps=10)
    page.mouse.up()
    # Then those three days are starred, and the busy one became free (a star is a free day)
    want = [(True, True)] * 3 + [(True, False)] * 4
    got = eventually(lambda: [(x["enabled"], x["starred"]) for x in (dates_of(api.meeting(code), "Lee")[iso(d)] for d in days)], want)
    assert got == want


def test_shift_click_and_shift_space_extend_from_the_last_day_toggled(context_factory, api):
    # Given a 14-day meeting and a joined person, free everywhere
    days = days_from(START, 14)
    code = api.create(iso(days[0]), iso(days[-1]))
    page = join_as(context_factory, code, "Park")
    # When the third day is clicked (busy), then the sixth Shift+clicked
    cell(page, days[2]).click()
    expect(page.locator("#save-status")).to_have_class(re.compile(r"\bgood\b"))
    page.keyboard.down("Shift")
    cell(page, days[5]).click()
    page.keyboard.up("Shift")
    # Then the third to the sixth are busy
    want = [True, True, False, False, False, False] + [True] * 8
    assert eventually(lambda: free_in_api(api, code, "Park", days), want) == want
    # When, by keyboard, the tenth day's box is toggled with Space and the twelfth's with Shift+Space
    page.locator(f'#answer input[name=free][value="{iso(days[9])}"]').focus()
    page.keyboard.press("Space")
    want[9] = False
    assert eventually(lambda: free_in_api(api, code, "Park", days), want) == want
    page.locator(f'#answer input[name=free][value="{iso(days[11])}"]').focus()
    page.keyboard.press("Shift+Space")
    # Then the tenth to the twelfth are busy, and the box with the focus is not toggled back
    want[10] = want[11] = False
    assert eventually(lambda: free_in_api(api, code, "Park", days), want) == want
    assert shown_free(page, days) == want


def test_a_change_made_while_a_save_is_in_flight_is_kept(context_factory, api):
    # Given a joined person whose first save is slow to be answered
    days = days_from(START, 6)
    code = api.create(iso(days[0]), iso(days[-1]))
    page = join_as(context_factory, code, "Slow")
    held = []
    page.route("**/availability", lambda route: held.append(route) if not held else route.continue_())
    # When a second day is toggled before the first save is answered
    cell(page, days[1]).click()
    cell(page, days[4]).click()
    page.wait_for_timeout(200)
    assert len(held) == 1, "the second save waits for the first"
    held[0].continue_()
    # Then the first save's answer does not undo the second toggle: both days end busy
    want = [True, False, True, True, False, True]
    assert eventually(lambda: free_in_api(api, code, "Slow", days), want, page=page) == want
    expect(page.locator("#save-status")).to_have_class(re.compile(r"\bgood\b"))
    assert shown_free(page, days) == want


def test_stars_counts_and_best_dates_match_the_api(context_factory, api):
    # Given a meeting where two people answered
    code = api.create(iso(START), iso(START + dt.timedelta(days=6)))
    other = api.join(code, "Alex")["participant_id"]
    api.answer(code, other, [iso(START + dt.timedelta(days=i)) for i in (1, 2, 3)])
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#answer")
    # When Sam stars two days in star mode
    page.get_by_label("★ Star").check()
    for i in (2, 3):
        page.locator(f'#answer td:has(input[value="{iso(START + dt.timedelta(days=i))}"])').click()
        page.wait_for_timeout(150)
    expect(page.locator("#save-status")).to_have_text("Saved")
    meeting = api.meeting(code)
    # Then the API has the stars, and the page's best dates and counts agree with it
    mine = dates_of(meeting, "Sam")
    assert [d for d, x in mine.items() if x["starred"]] == [iso(START + dt.timedelta(days=i)) for i in (2, 3)]
    shown = page.locator("#best time").evaluate_all("els => els.map(e => e.dateTime)")
    assert shown == meeting["best_dates"]
    assert "2/2 free · 1★" in page.locator("#best li").first.inner_text()
    cell = page.locator(f'#group a[href$="day={iso(START + dt.timedelta(days=2))}#detail"]')
    assert cell.locator("b").inner_text() == "2"
    assert "all" in cell.get_attribute("class")


def test_a_stroke_that_cannot_be_saved_is_rolled_back_with_a_message(context_factory, api):
    # Given a joined person whose saves will fail (the network refuses the stroke route)
    code = api.create(iso(START), iso(START + dt.timedelta(days=3)))
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Offline")
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#answer")
    page.route("**/availability", lambda route: route.abort())
    box = page.get_by_label(re.compile(r"^Free on ")).first
    assert box.is_checked()
    # When a day is painted
    page.locator("#answer td:has(input) label:first-child").first.click()
    # Then the page says it could not save, and the day is back as it was, here and in the API
    expect(page.locator("#save-status")).to_have_text("Could not save. Please try again.")
    assert box.is_checked()
    assert dates_of(api.meeting(code), "Offline")[iso(START)]["enabled"] is True


def test_the_person_filter_and_only_me_change_the_counts(context_factory, api):
    # Given Alex free on day 1 only and this browser's person free everywhere
    code = api.create(iso(START), iso(START + dt.timedelta(days=2)))
    alex = api.join(code, "Alex")["participant_id"]
    api.answer(code, alex, [iso(START + dt.timedelta(days=1))])
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Me")
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#answer")
    day0 = page.locator(f'#group a[href$="day={iso(START)}#detail"] b')
    assert day0.inner_text() == "1"
    # When only me is chosen, then Alex's chip is turned off too
    page.get_by_role("button", name="Only me").click()
    assert day0.inner_text() == "1"
    assert page.get_by_role("button", name="Alex").get_attribute("aria-pressed") == "false"
    day1 = page.locator(f'#group a[href$="day={iso(START + dt.timedelta(days=1))}#detail"] b')
    assert day1.inner_text() == "1"
    page.get_by_role("button", name="Everyone").click()
    assert day1.inner_text() == "2"


def test_an_answer_can_be_given_with_the_keyboard_alone(context_factory, api):
    # Given a joined person
    code = api.create(iso(START), iso(START + dt.timedelta(days=2)))
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Key")
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer")
    # When the first day's box is reached with Tab and toggled with Space
    target = page.get_by_label(re.compile(r"^Free on "), exact=False).first
    for _ in range(60):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            break
    assert target.evaluate("e => e === document.activeElement")
    page.keyboard.press("Space")
    expect(page.locator("#save-status")).to_have_text("Saved")
    # Then the day is busy in the API
    assert dates_of(api.meeting(code), "Key")[iso(START)]["enabled"] is False


def test_touch_painting_works_on_a_phone(context_factory, api):
    # Given a phone-sized touch browser with a joined person
    code = api.create(iso(START), iso(START + dt.timedelta(days=9)))
    context = context_factory(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Phone")
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("#answer")
    # Saturday to Tuesday: across the row break of a Monday-first week
    days = [iso(START + dt.timedelta(days=i)) for i in range(5, 9)]
    page.locator(f'#answer td:has(input[value="{days[0]}"])').scroll_into_view_if_needed()
    boxes = [page.locator(f'#answer td:has(input[value="{d}"])').bounding_box() for d in (days[0], days[-1])]
    # When a finger slides from the first of four days to the last
    cdp = context.new_cdp_session(page)
    point = lambda b: {"x": b["x"] + b["width"] / 2, "y": b["y"] + b["height"] / 2}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point(boxes[0])]})
    for b in boxes[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point(b)]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(page.locator("#save-status")).to_have_text("Saved")
    # Then all four are busy, the days around them free, and the page fits the screen
    mine = dates_of(api.meeting(code), "Phone")
    assert [mine[d]["enabled"] for d in days] == [False] * 4
    assert mine[iso(START + dt.timedelta(days=4))]["enabled"] and mine[iso(START + dt.timedelta(days=9))]["enabled"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_other_peoples_changes_appear_without_a_reload(context_factory, api):
    # Given a meeting open in one browser
    code = api.create(iso(START), iso(START + dt.timedelta(days=3)))
    watcher = context_factory().new_page()
    watcher.goto(f"/m/{code}")
    watcher.wait_for_timeout(300)
    # When someone joins and answers through another browser
    other = context_factory().new_page()
    other.goto(f"/m/{code}")
    other.get_by_label("Your name").fill("Live")
    other.get_by_role("button", name="Join").click()
    other.wait_for_selector("#answer")
    # Then the first browser shows them within a second
    watcher.get_by_role("button", name="Live").wait_for(timeout=1000)
    assert watcher.locator(f'#group a[href$="day={iso(START)}#detail"] b').inner_text() == "1"


def test_a_day_shows_who_is_free_busy_and_starred(context_factory, api):
    # Given Alex free and starred on the first day, Sam busy
    code = api.create(iso(START), iso(START + dt.timedelta(days=2)))
    alex = api.join(code, "Alex")["participant_id"]
    sam = api.join(code, "Sam")["participant_id"]
    api.answer(code, alex, [iso(START)], [iso(START)])
    api.answer(code, sam, [iso(START + dt.timedelta(days=1))])
    page = context_factory().new_page()
    page.goto(f"/m/{code}")
    page.wait_for_timeout(300)
    # When the first day is clicked
    page.locator(f'#group a[href$="day={iso(START)}#detail"]').click()
    # Then its details name each person under free, busy and starred, and take the focus
    detail = page.locator("#detail")
    expect(detail).to_be_visible()
    assert detail.locator("dt").all_inner_texts() == ["Free (1)", "Busy (1)", "★ Starred (1)"]
    assert detail.locator("dd").all_inner_texts() == ["Alex", "Sam", "Alex"]
    assert detail.evaluate("e => e === document.activeElement")


def test_a_lost_connection_is_shown_quietly_and_so_is_its_return(context_factory, api):
    # Given a meeting page that is live
    code = api.create(iso(START), iso(START + dt.timedelta(days=2)))
    context = context_factory()
    page = context.new_page()
    page.goto(f"/m/{code}")
    page.wait_for_timeout(500)
    # When the network goes away, Then the page says so; When it is back, Then it says that
    context.set_offline(True)
    expect(page.locator("#live-status")).to_have_text("Connection lost. Reconnecting…", timeout=10000)
    context.set_offline(False)
    expect(page.locator("#live-status")).to_have_text("Back online", timeout=15000)


def test_languages_follow_the_browser_and_the_switch(context_factory):
    # Given a Korean and an English browser
    ko = context_factory(locale="ko-KR").new_page()
    en = context_factory(locale="en-US").new_page()
    ko.goto("/")
    en.goto("/")
    # Then each page speaks its language
    assert ko.locator("h1").inner_text() == "새 모임 만들기"
    assert ko.locator("html").get_attribute("lang") == "ko"
    assert en.locator("h1").inner_text() == "Create a meeting"
    # When the Korean one switches, then it stays English on the next page
    ko.get_by_role("link", name="English").click()
    assert ko.locator("h1").inner_text() == "Create a meeting"
    ko.goto("/")
    assert ko.locator("h1").inner_text() == "Create a meeting"


def test_the_meeting_page_speaks_korean_with_weeks_from_sunday(context_factory, api):
    # Given a meeting with an answer, opened in a Korean browser
    code = api.create(iso(START), iso(START + dt.timedelta(days=6)), title="송년회")
    api.join(code, "민지")
    page = context_factory(locale="ko-KR").new_page()
    page.goto(f"/m/{code}")
    # Then its headings, counts and controls are Korean, and the week starts on Sunday
    assert page.get_by_role("heading", name="가장 좋은 날짜").count() == 1
    assert page.get_by_role("heading", name="모두의 일정").count() == 1
    assert "1/1명 가능" in page.locator("#best li").first.inner_text()
    assert page.locator("table.group thead th").first.inner_text() == "일"
    assert page.get_by_label("이름").count() == 1
    assert page.get_by_role("button", name="참여").count() == 1


def test_weekday_headers_stay_visible_while_a_long_range_scrolls(context_factory, api):
    # Given a 62-day meeting on a phone
    code = api.create(iso(START), iso(START + dt.timedelta(days=61)))
    page = context_factory(viewport={"width": 375, "height": 667}).new_page()
    page.goto(f"/m/{code}")
    first_month = page.locator("table.group").first
    header = first_month.locator("thead th").first
    # When the page scrolls to the middle of the first month's grid
    box = first_month.bounding_box()
    page.mouse.wheel(0, box["y"] + box["height"] / 2)
    page.wait_for_timeout(200)
    # Then that month's weekday header is still on screen, at the top
    top = header.bounding_box()["y"]
    assert 0 <= top < 40, top


def test_everything_works_without_javascript(context_factory, api):
    # Given a browser without JavaScript
    page = context_factory(java_script_enabled=False).new_page()
    page.goto("/")
    # When a meeting is created, joined and answered through the forms
    page.get_by_label("Title").fill("No script")
    page.get_by_label("Start").fill(iso(START))
    page.get_by_label("End").fill(iso(START + dt.timedelta(days=2)))
    page.get_by_role("button", name="Create meeting").click()
    code = meeting_code(page)
    page.goto(f"/m/{code}")
    page.get_by_label("Your name").fill("Plain")
    page.get_by_role("button", name="Join").click()
    page.locator("#answer td:has(input) label:first-child").first.click()
    page.locator("#answer td:has(input) label:last-child").nth(1).click()
    assert not page.get_by_label(re.compile(r"^Free on ")).first.is_checked()
    page.get_by_role("button", name="Save").click()
    # Then the API has it all
    meeting = api.meeting(code)
    mine = dates_of(meeting, "Plain")
    assert meeting["title"] == "No script"
    assert mine[iso(START)]["enabled"] is False
    assert mine[iso(START + dt.timedelta(days=1))]["starred"] is True


def test_a_name_with_markup_shows_literally(context_factory, api):
    # Given a participant named like a script
    code = api.create(iso(START), iso(START + dt.timedelta(days=1)))
    api.join(code, "<script>alert(1)</script>")
    page = context_factory().new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d), d.dismiss()))
    # When the page shows it
    page.goto(f"/m/{code}")
    # Then it is text, never run
    assert page.get_by_role("button", name="<script>alert(1)</script>").count() == 1
    assert dialogs == []


# ---------- accessibility, and pictures for the README ----------

@pytest.mark.parametrize("width, height", [(1280, 900), (375, 667)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_and_screenshots(context_factory, api, width, height, scheme):
    # Given both pages, with a meeting that has answers, seen by a visitor and by a participant
    code = api.create(iso(START), iso(START + dt.timedelta(days=20)), title="송년회", location="강남")
    for name, free in [("민지", range(0, 21, 2)), ("Alex", range(0, 21, 3)), ("Sam", range(0, 21))]:
        pid = api.join(code, name)["participant_id"]
        api.answer(code, pid, [iso(START + dt.timedelta(days=i)) for i in free],
                   [iso(START + dt.timedelta(days=6))] if name == "Sam" else [])
    context = context_factory(viewport={"width": width, "height": height}, color_scheme=scheme, locale="ko-KR")
    page = context.new_page()
    axe = Axe()
    pages = [("/", "create"), (f"/m/{code}", "meeting"), (f"/m/{code}", "answer")]
    for path, name in pages:
        if name == "answer":
            # As Sam, this browser also sees the answer grid
            page.context.add_cookies([{"name": f"me_{code}", "value": str(pid), "url": page.url}])
        page.goto(path)
        # Then axe-core finds nothing against WCAG 2.1 A and AA
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        assert results.violations_count == 0, results.generate_report()
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}-{width}-{scheme}.png"), full_page=True)
