-- When a meeting stops taking answers (issue 23): a deadline (seconds since the epoch, UTC),
-- the zone it was given in, and whether answers also close after the last day.
alter table meetings add column deadline_at bigint;
alter table meetings add column deadline_zone text;
alter table meetings add column close_after_last_day boolean not null default false;
