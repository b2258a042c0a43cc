#!/usr/bin/env bash
# Brings up the database servers the tests need, on this machine, without systemd:
# PostgreSQL and MariaDB from Debian's packages, each with a `meetifyr` account (password
# `meetifyr`) allowed to create databases. Installs what is missing when run as root.
# A second account, `meetifyr_plain`, has the same tables but may not create or run routines.
# Idempotent: servers already running are left running; the accounts' passwords and grants are
# set every time, so an account that another program created with another password works too.
set -euo pipefail

log() { echo "[databases] $*" >&2; }

as_root() {
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: cannot $1; start PostgreSQL and MariaDB yourself and set MEETIFYR_TEST_POSTGRES_URL / MEETIFYR_TEST_MYSQL_URL"
        exit 1
    fi
}

apt_updated=
apt_install() {
    as_root "install $*"
    if [ -z "$apt_updated" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # tries, command...
    local tries=$1; shift
    for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    return 1
}

postgres() {
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_lsclusters -h | grep -q "^$version main" || { as_root "create a cluster"; pg_createcluster "$version" main >/dev/null; }
    if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
        as_root "start PostgreSQL"
        log "starting PostgreSQL $version"
        pg_ctlcluster "$version" main start
    fi
    wait_for 60 su postgres -c "pg_isready -q" || { log "PostgreSQL did not come up"; exit 1; }
    su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname = 'meetifyr'\"" | grep -q 1 \
        || su postgres -c "psql -qc \"create role meetifyr\""
    su postgres -c "psql -qc \"alter role meetifyr login createdb password 'meetifyr'\""
}

mariadb() {
    command -v mariadbd >/dev/null || command -v mysqld >/dev/null || apt_install mariadb-server
    if ! mysqladmin ping --silent >/dev/null 2>&1; then
        as_root "start MariaDB"
        log "starting MariaDB"
        service mariadb start >/dev/null 2>&1 || (mysqld_safe >/dev/null 2>&1 &)
        wait_for 120 mysqladmin ping --silent || { log "MariaDB did not come up"; exit 1; }
    fi
    mysql -uroot <<'SQL'
create user if not exists 'meetifyr'@'localhost' identified by 'meetifyr';
create user if not exists 'meetifyr'@'127.0.0.1' identified by 'meetifyr';
alter user 'meetifyr'@'localhost' identified by 'meetifyr';
alter user 'meetifyr'@'127.0.0.1' identified by 'meetifyr';
grant all privileges on `meetifyr%`.* to 'meetifyr'@'localhost';
grant all privileges on `meetifyr%`.* to 'meetifyr'@'127.0.0.1';
-- An account that may not create or run routines (MEETIFYR_TEST_MYSQL_PLAIN_URL): the tests
-- check that Meetifyr falls back to plain statements for it.
create user if not exists 'meetifyr_plain'@'localhost' identified by 'meetifyr';
create user if not exists 'meetifyr_plain'@'127.0.0.1' identified by 'meetifyr';
alter user 'meetifyr_plain'@'localhost' identified by 'meetifyr';
alter user 'meetifyr_plain'@'127.0.0.1' identified by 'meetifyr';
grant select, insert, update, delete, create, drop, index, alter, references on `meetifyr%`.* to 'meetifyr_plain'@'localhost';
grant select, insert, update, delete, create, drop, index, alter, references on `meetifyr%`.* to 'meetifyr_plain'@'127.0.0.1';
SQL
}

postgres
mariadb
log "PostgreSQL and MariaDB are up"
