-- Participants the organiser marked as required (issue 23): ranked days put those where all of
-- them are free first. Existing rows are not required.
alter table participants add column required integer not null default 0;
