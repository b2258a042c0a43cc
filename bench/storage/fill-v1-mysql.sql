-- 10,000 meetings of 10 participants x 31 days in schema v1 (MySQL 8 / MariaDB).
insert into meetings (url_code, title, location, start_date, end_date)
select concat('bench', i), concat('Meeting ', i), 'Room 1', '2025-01-01', '2025-01-31'
from (with recursive d(k) as (select 0 union all select k + 1 from d where k < 99)
      select a.k * 100 + b.k + 1 as i from d a cross join d b) n
order by i;
insert into participants (meeting_id, name)
select m.id, concat('participant ', n.i) from meetings m
cross join (with recursive d(i) as (select 1 union all select i + 1 from d where i < 10) select i from d) n
order by m.id, n.i;
insert into participant_dates (participant_id, date, enabled, starred)
select p.id, date_add('2025-01-01', interval n.k day), (p.id + n.k + 1) % 4 <> 0,
    (p.id + n.k + 1) % 4 <> 0 and (p.id + n.k + 1) % 7 = 0
from participants p
cross join (with recursive d(k) as (select 0 union all select k + 1 from d where k < 30) select k from d) n
order by p.id, n.k;
