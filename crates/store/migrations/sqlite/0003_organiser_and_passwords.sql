-- Organiser and participant controls: the hash of the organiser's key (SHA-256 hex; meetings
-- created before keys existed have none), the final date the organiser settled on, and the
-- Argon2id hash (PHC string) of a participant's password. All optional: rows that do not use
-- them behave as before.
alter table meetings add column organiser_key_hash text;
alter table meetings add column final_date text;
alter table participants add column password_hash text;
