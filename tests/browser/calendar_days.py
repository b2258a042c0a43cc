"""Dates the browser suite uses. Nothing here reads today's date: every meeting is on fixed
days, and every browser's clock is stopped at TODAY in ZONE (conftest's context_factory), so the
suite gives the same answers in every month of every year."""
import datetime as dt

ZONE = "Asia/Seoul"
# What the pages' scripts see as now: midday of a fixed Monday, in the browser's zone.
TODAY = dt.date(2027, 2, 15)
NOW = dt.datetime(2027, 2, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
# The first day of most meetings under test: a Monday, after TODAY.
START = dt.date(2027, 3, 1)


def iso(d):
    return d.isoformat()


def days_from(start, n):
    return [start + dt.timedelta(days=i) for i in range(n)]


def first_of_next_month(d):
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def last_of_month(d):
    return first_of_next_month(d) - dt.timedelta(days=1)
