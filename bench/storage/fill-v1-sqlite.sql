-- 10,000 meetings of 10 participants x 31 days in schema v1 (SQLite; the v1 trigger creates
-- each participant's 31 dates). Some days busy, some starred, as people answer.
with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000)
insert into meetings (url_code, title, location, start_date, end_date)
select 'bench' || i, 'Meeting ' || i, 'Room 1', '2025-01-01', '2025-01-31' from n;
with recursive n(i) as (select 1 union all select i + 1 from n where i < 10)
insert into participants (meeting_id, name)
select m.id, 'participant ' || n.i from meetings m, n order by m.id, n.i;
update participant_dates set enabled = 0 where (participant_id + cast(substr(date, 9, 2) as integer)) % 4 = 0;
update participant_dates set starred = 1
where enabled = 1 and (participant_id + cast(substr(date, 9, 2) as integer)) % 7 = 0;
