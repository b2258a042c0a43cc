-- Storage v2: a participant's whole answer in its own row, as two bit sets over the meeting's
-- days (bit k = start + k days; at most 63 days, so a non-negative BIGINT), and a version per
-- meeting that every write to the meeting or its participants bumps.
-- MySQL and MariaDB commit each DDL statement by itself: this migration cannot be one
-- transaction. Its data step is one UPDATE, and the old table is dropped only after it.
alter table meetings add column version bigint not null default 1;
alter table participants
    add column free_days bigint not null default 0,
    add column starred_days bigint not null default 0;

-- Per-day rows become bits. A day counts as starred only where it is also free (as the ranking
-- always counted it); days outside the range (none were ever created) are dropped.
update participants p
join (
    select d.participant_id,
        bit_or(case when d.enabled then 1 << datediff(d.date, m.start_date) else 0 end) as free,
        bit_or(case when d.enabled and d.starred then 1 << datediff(d.date, m.start_date) else 0 end) as starred
    from participant_dates d
    join participants pp on pp.id = d.participant_id
    join meetings m on m.id = pp.meeting_id
    where d.date between m.start_date and m.end_date
    group by d.participant_id
) a on a.participant_id = p.id
set p.free_days = a.free, p.starred_days = a.starred;

alter table participants add constraint participants_answer_bits
    check (free_days >= 0 and starred_days >= 0 and starred_days & ~free_days = 0);

drop table participant_dates;
