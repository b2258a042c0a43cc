"""Time meetings: the calendar invite of a settled window, read by a real iCalendar parser."""
import datetime as dt
import urllib.request

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
