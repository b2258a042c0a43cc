-- Storage v2: a participant's whole answer in its own row, as two bit sets over the meeting's
-- days (bit k = start + k days; at most 63 days, so a non-negative bigint), and a version per
-- meeting that every write to the meeting or its participants bumps. One transaction.
alter table meetings add column version bigint not null default 1;
alter table participants
    add column free_days bigint not null default 0,
    add column starred_days bigint not null default 0;

-- Per-day rows become bits. A day counts as starred only where it is also free (as the ranking
-- always counted it); days outside the range (none were ever created) are dropped.
update participants p set
    free_days = coalesce((
        select bit_or(1::bigint << (d.date - m.start_date))
        from participant_dates d join meetings m on m.id = p.meeting_id
        where d.participant_id = p.id and d.enabled
            and d.date between m.start_date and m.end_date), 0),
    starred_days = coalesce((
        select bit_or(1::bigint << (d.date - m.start_date))
        from participant_dates d join meetings m on m.id = p.meeting_id
        where d.participant_id = p.id and d.enabled and d.starred
            and d.date between m.start_date and m.end_date), 0);

alter table participants add constraint participants_answer_bits
    check (free_days >= 0 and starred_days >= 0 and starred_days & ~free_days = 0);

drop table participant_dates;
