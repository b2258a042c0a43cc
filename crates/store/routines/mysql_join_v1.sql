-- A participant joins in one round trip: lock the meeting, insert the participant (free on
-- every day of the range, as the Rust path does with DateRange::all_days), bump the version,
-- commit. Answers one row: the meeting's id (null: no such meeting), the new participant's id
-- (null: no date range and no time grid yet, nothing written) and the range.
-- Installed at start when the account may create routines (not a migration: an account
-- without CREATE ROUTINE still migrates and joins through the transaction in mysql.rs).
-- A changed body gets a new name (_v2): instances of different versions then run side by side.
create procedure meetifyr_join_v1(
    in p_code varchar(255) character set utf8mb4,
    in p_name varchar(255) character set utf8mb4,
    in p_password_hash varchar(255) character set ascii
)
modifies sql data
begin
    declare m_id bigint default null;
    declare m_start date default null;
    declare m_end date default null;
    declare m_timed boolean default false;
    declare p_id bigint default null;
    declare continue handler for not found begin end;
    declare exit handler for sqlexception begin rollback; resignal; end;
    start transaction;
    select id, start_date, end_date, time_grid is not null
        into m_id, m_start, m_end, m_timed
        from meetings where url_code = p_code collate utf8mb4_bin for update;
    if m_id is not null and ((m_start is not null and m_end is not null) or m_timed) then
        insert into participants (meeting_id, name, free_days, password_hash)
            values (m_id, p_name,
                    if(m_start is null or m_end is null, 0, (1 << least(datediff(m_end, m_start) + 1, 63)) - 1),
                    p_password_hash);
        set p_id = last_insert_id();
        update meetings set version = version + 1 where id = m_id;
    end if;
    commit;
    select m_id, p_id, m_start, m_end;
end
