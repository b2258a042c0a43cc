-- Time meetings: the grid the organiser chose (JSON: dates, day_start, day_end, slot_minutes,
-- time_zone; null for a day meeting), and each participant's answer over its cells as bytes
-- (cell k = byte k / 8, bit k % 8; null or empty: none). Day meetings are unchanged. At most
-- 63 days of 96 slots and the repeated hours: under 800 bytes.
alter table meetings add column time_grid text;
alter table participants add column free_slots varbinary(1024), add column starred_slots varbinary(1024);
-- The window a time meeting's organiser settled on: its first cell and how many.
alter table meetings add column final_cell integer, add column final_cells integer;
