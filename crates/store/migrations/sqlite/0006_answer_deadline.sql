-- When a meeting stops taking answers (issue 23): a deadline (seconds since the epoch, UTC),
-- the zone it was given in, and whether answers also close after the last day.
alter table meetings add column deadline_at integer;
alter table meetings add column deadline_zone text;
alter table meetings add column close_after_last_day integer not null default 0;
