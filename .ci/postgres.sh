#!/usr/bin/env bash
# Make PostgreSQL's server binaries available for the test suite's PostgreSQL half.
#
# `make test` runs this when CI=true (so .ci/run stays exactly `make test`). It installs the
# distribution's PostgreSQL (Debian: the `postgresql` package) when no initdb/pg_ctl is found;
# the suite itself (tests/pgcluster.py) then starts a throwaway cluster in a temp directory on
# a Unix socket only (listen_addresses='', no TCP), as the `postgres` user when run as root,
# and stops and deletes it at the end of the run.
set -euo pipefail

have_server() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    [ -n "${MEGAROTH_TEST_PG_BIN:-}" ] && [ -x "$MEGAROTH_TEST_PG_BIN/initdb" ] && return 0
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && return 0
    done
    return 1
}

if [ -n "${MEGAROTH_TEST_PG_URL:-}" ]; then
    echo "postgres.sh: using the server at \$MEGAROTH_TEST_PG_URL"
    exit 0
fi
if have_server; then
    echo "postgres.sh: PostgreSQL server binaries present"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres.sh: no PostgreSQL server binaries and cannot install them (need root and apt-get)" >&2
    exit 1
fi
echo "postgres.sh: installing PostgreSQL from the distribution's packages"
export DEBIAN_FRONTEND=noninteractive
# no system-wide "main" cluster: the suite makes its own throwaway one
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/50-megaroth-ci.conf
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
have_server || { echo "postgres.sh: PostgreSQL installed but initdb/pg_ctl not found" >&2; exit 1; }
echo "postgres.sh: PostgreSQL installed"
