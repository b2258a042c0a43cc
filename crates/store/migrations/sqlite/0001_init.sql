-- Meetifyr schema for SQLite.
-- AUTOINCREMENT so that ids are never reused after a delete: a client holding an old
-- participant or date id must not reach somebody else's row.
create table meetings (
    id integer primary key autoincrement,
    url_code text not null unique,
    title text not null default '',
    location text not null default '',
    start_date text,
    end_date text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table participants (
    id integer primary key autoincrement,
    meeting_id integer not null references meetings (id) on delete cascade,
    name text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index participants_by_meeting on participants (meeting_id, id);

create table participant_dates (
    id integer primary key autoincrement,
    participant_id integer not null references participants (id) on delete cascade,
    date text not null,
    enabled integer not null default 1 check (enabled in (0, 1)),
    starred integer not null default 0 check (starred in (0, 1)),
    -- What GET reads: `participant_id id*4+enabled+2*starred date`. SQLite keeps it current on
    -- every write, so reading a meeting concatenates stored text instead of formatting each
    -- row again (measured: about 2.5x less work in the query; see docs/benchmarks.md).
    encoded text generated always as
        (participant_id || ' ' || (id * 4 + enabled + 2 * starred) || ' ' || date) stored,
    unique (participant_id, date)
);

-- Day offsets 0..62 within a meeting's range (MAX_RANGE_DAYS = 62), for the trigger below:
-- SQLite allows no WITH clause inside a trigger.
create table day_offsets (n integer primary key);
insert into day_offsets (n)
with recursive c(n) as (select 0 union all select n + 1 from c where n < 62)
select n from c;

-- A new participant gets one free date per day of its meeting's range within the INSERT that
-- creates it: one atomic statement and one trip to the single writer connection (measured in
-- docs/benchmarks.md; five trips with an explicit transaction cost a third of the throughput).
create trigger participant_dates_of_new_participant after insert on participants
begin
    insert into participant_dates (participant_id, date)
    select new.id, date(m.start_date, '+' || o.n || ' days')
    from meetings m
    join day_offsets o on o.n <= julianday(m.end_date) - julianday(m.start_date)
    where m.id = new.meeting_id and m.start_date is not null and m.end_date is not null
    order by o.n;
end;
