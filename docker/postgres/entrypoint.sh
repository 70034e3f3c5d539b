#!/bin/sh
# First start: initdb with the password from POSTGRES_PASSWORD_FILE (a secret file, never an
# environment value in the compose file), create POSTGRES_DB owned by POSTGRES_USER. Every start:
# run postgres as the postgres user, listening on POSTGRES_LISTEN (127.0.0.1 by default: with host
# networking only this machine reaches it) and PGPORT, with any extra arguments given (-c name=value).
set -eu
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${POSTGRES_LISTEN:=127.0.0.1}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD_FILE:-}" ] || [ ! -s "$POSTGRES_PASSWORD_FILE" ]; then
        echo "pengkom-postgres: POSTGRES_PASSWORD_FILE must name a non-empty secret file on first start" >&2
        exit 2
    fi
    pwfile=$(mktemp)
    head -n1 "$POSTGRES_PASSWORD_FILE" | tr -d '\r\n' > "$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
    rm -f "$pwfile"
    printf '%s\n' "local all all trust" "host all all 0.0.0.0/0 scram-sha-256" "host all all ::/0 scram-sha-256" > "$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" | as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
    fi
    echo "pengkom-postgres: initialised $PGDATA (database $POSTGRES_DB, user $POSTGRES_USER)"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "$PGDATA" -c listen_addresses="$POSTGRES_LISTEN" -p "$PGPORT" -c unix_socket_directories=/run/postgresql "$@"
