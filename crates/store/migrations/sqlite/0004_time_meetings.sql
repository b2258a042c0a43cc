-- Time meetings: the grid the organiser chose (JSON: dates, day_start, day_end, slot_minutes,
-- time_zone; null for a day meeting), and each participant's answer over its cells as bytes
-- (cell k = byte k / 8, bit k % 8; null or empty: none). Day meetings are unchanged.
alter table meetings add column time_grid text;
alter table participants add column free_slots blob;
alter table participants add column starred_slots blob;
-- The window a time meeting's organiser settled on: its first cell and how many.
alter table meetings add column final_cell integer;
alter table meetings add column final_cells integer;
