-- 10,000 meetings of 10 participants x 31 days in schema v1 (PostgreSQL).
insert into meetings (url_code, title, location, start_date, end_date)
select 'bench' || i, 'Meeting ' || i, 'Room 1', '2025-01-01', '2025-01-31' from generate_series(1, 10000) i;
insert into participants (meeting_id, name)
select m.id, 'participant ' || n from meetings m, generate_series(1, 10) n order by m.id, n;
insert into participant_dates (participant_id, date, enabled, starred)
select p.id, d::date, (p.id + extract(day from d)::int) % 4 <> 0,
    (p.id + extract(day from d)::int) % 4 <> 0 and (p.id + extract(day from d)::int) % 7 = 0
from participants p, generate_series('2025-01-01'::date, '2025-01-31'::date, interval '1 day') d
order by p.id, d;
