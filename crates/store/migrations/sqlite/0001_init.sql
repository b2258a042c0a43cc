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
    unique (participant_id, date)
);
