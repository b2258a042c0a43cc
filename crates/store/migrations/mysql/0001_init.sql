-- Meetifyr schema for MySQL 8 and MariaDB 10.11.
-- url_code is compared byte for byte (utf8mb4_bin): codes are case-sensitive.
create table meetings (
    id bigint not null auto_increment primary key,
    url_code varchar(255) character set utf8mb4 collate utf8mb4_bin not null,
    title varchar(255) not null default '',
    location varchar(255) not null default '',
    start_date date null,
    end_date date null,
    created_at datetime(6) not null default current_timestamp(6),
    unique key meetings_url_code (url_code)
) engine = InnoDB default charset = utf8mb4;

create table participants (
    id bigint not null auto_increment primary key,
    meeting_id bigint not null,
    name varchar(255) not null,
    created_at datetime(6) not null default current_timestamp(6),
    key participants_by_meeting (meeting_id, id),
    constraint participants_meeting foreign key (meeting_id) references meetings (id) on delete cascade
) engine = InnoDB default charset = utf8mb4;

create table participant_dates (
    id bigint not null auto_increment primary key,
    participant_id bigint not null,
    date date not null,
    enabled boolean not null default true,
    starred boolean not null default false,
    unique key participant_dates_day (participant_id, date),
    constraint participant_dates_participant foreign key (participant_id) references participants (id) on delete cascade
) engine = InnoDB default charset = utf8mb4;
