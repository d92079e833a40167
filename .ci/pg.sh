#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a Unix socket in a temporary directory.
# Prints the SQLAlchemy URL on stdout. Usage: eval "$(bash .ci/pg.sh start)"; bash .ci/pg.sh stop DIR
set -euo pipefail

find_bin() {
  for dir in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  return 1
}

case "${1:-start}" in
  start)
    if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
      echo "installing PostgreSQL" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    fi
    INITDB=$(find_bin initdb); PG_CTL=$(find_bin pg_ctl)
    dir=$(mktemp -d /tmp/dozor-pg.XXXXXX)
    chmod 755 "$dir"
    run_as=()
    if [ "$(id -u)" = "0" ]; then
      # initdb refuses to run as root.
      id -u postgres >/dev/null 2>&1 || useradd -r -M postgres >&2
      chown postgres "$dir"
      run_as=(runuser -u postgres --)
    fi
    "${run_as[@]}" "$INITDB" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >&2
    "${run_as[@]}" "$PG_CTL" -D "$dir/data" -l "$dir/log" -w -t 60 start \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
    "${run_as[@]}" psql -h "$dir" -U postgres -d postgres -qc "CREATE DATABASE dozor_test" >&2
    echo "export DOZOR_PG_DIR=$dir"
    echo "export DOZOR_TEST_PG_URL='postgresql+asyncpg://postgres@/dozor_test?host=$dir'"
    ;;
  stop)
    dir=${2:?directory}
    PG_CTL=$(find_bin pg_ctl)
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$PG_CTL" -D "$dir/data" -m fast stop >&2 || true
    else "$PG_CTL" -D "$dir/data" -m fast stop >&2 || true; fi
    rm -rf "$dir"
    ;;
esac
