-- Storage v2: a participant's whole answer in its own row, as two bit sets over the meeting's
-- days (bit k = start + k days; at most 63 days, so a non-negative 64-bit integer), and a
-- version per meeting that every write to the meeting or its participants bumps.
-- Runs in one transaction (sqlx wraps each migration in one).
alter table meetings add column version integer not null default 1;
alter table participants add column free_days integer not null default 0 check (free_days >= 0);
alter table participants add column starred_days integer not null default 0
    check (starred_days >= 0 and starred_days & ~free_days = 0);

-- Per-day rows become bits. A day counts as starred only where it is also free (as the ranking
-- always counted it); days outside the range (none were ever created) are dropped.
update participants set
    free_days = coalesce((
        select sum(1 << cast(julianday(d.date) - julianday(m.start_date) as integer))
        from participant_dates d join meetings m on m.id = participants.meeting_id
        where d.participant_id = participants.id and d.enabled = 1
            and d.date between m.start_date and m.end_date), 0),
    starred_days = coalesce((
        select sum(1 << cast(julianday(d.date) - julianday(m.start_date) as integer))
        from participant_dates d join meetings m on m.id = participants.meeting_id
        where d.participant_id = participants.id and d.enabled = 1 and d.starred = 1
            and d.date between m.start_date and m.end_date), 0);

drop trigger participant_dates_of_new_participant;
drop table participant_dates;
drop table day_offsets;

-- SQLite has one writer: a participant's write and its meeting's version bump happen in the
-- same statement through these triggers (one trip to the writer, atomic by itself).
create trigger participants_version_on_insert after insert on participants
begin
    update meetings set version = version + 1 where id = new.meeting_id;
end;

create trigger participants_version_on_update after update on participants
begin
    update meetings set version = version + 1 where id = new.meeting_id;
end;

create trigger participants_version_on_delete after delete on participants
begin
    update meetings set version = version + 1 where id = old.meeting_id;
end;
