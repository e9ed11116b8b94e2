#!/usr/bin/env bash
# The whole test suite: `bash tools/test.sh [PYTEST ARGS...]`, the README's test command (.ci/run runs it).
#
# The judge's tests run twice, on SQLite and on PostgreSQL. This script gets a PostgreSQL
# server the way a Debian user would (apt-get, pg_ctlcluster), makes a role and a database
# for the tests, and exports ROBOARENA_TEST_DATABASE_URL; without root or apt-get (a
# student's laptop) it says once that the PostgreSQL half will be skipped and goes on.
# A ROBOARENA_TEST_DATABASE_URL already set is used as it is (a server of your own).
set -euo pipefail
cd "$(dirname "$0")/.."      # the project root, wherever it is called from

PG_ROLE=roboarena
# Only a local test role on the loopback interface, holding nothing but test data.
PG_PASSWORD=roboarena-test
PG_DATABASE=roboarena_test

say() { echo "tools/test.sh: $*" >&2; }

# One `apt-get update` for whatever this script installs (PostgreSQL, Chromium), however
# many of them are missing.
APT_UPDATED=""
apt_update_once() {
    [ -n "$APT_UPDATED" ] && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || return 1
    APT_UPDATED=1
}

# The newest PostgreSQL server installed by Debian's packages, e.g. "15", or nothing.
pg_version() {
    local dir
    for dir in $(ls -1 /usr/lib/postgresql 2>/dev/null | sort -n -r); do
        if [ -x "/usr/lib/postgresql/$dir/bin/postgres" ]; then
            echo "$dir"
            return
        fi
    done
}

# psql as the server's superuser, from / so that psql does not warn that it cannot enter
# a project folder the postgres user may not read.
as_postgres() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"); }

# Sets PG_URL, or PG_WHY to the reason there is none. Every step checks its own result:
# `set -e` does not apply inside a function called as an `if` condition.
setup_postgres() {
    PG_URL="" PG_WHY=""
    local version
    version=$(pg_version)
    if [ -z "$version" ]; then
        if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
            PG_WHY="PostgreSQL is not installed, and installing it needs root and apt-get"
            return 1
        fi
        say "installing PostgreSQL with apt-get"
        apt_update_once || { PG_WHY="apt-get update failed"; return 1; }
        apt-get install -y -qq postgresql >/dev/null || { PG_WHY="apt-get install postgresql failed"; return 1; }
        version=$(pg_version)
        [ -n "$version" ] || { PG_WHY="apt-get installed no PostgreSQL server"; return 1; }
    fi
    if [ "$(id -u)" -ne 0 ]; then
        PG_WHY="starting PostgreSQL $version and making its test database needs root"
        return 1
    fi
    if ! command -v pg_ctlcluster >/dev/null || ! command -v runuser >/dev/null; then
        PG_WHY="pg_ctlcluster (Debian's postgresql-common) or runuser is missing"
        return 1
    fi
    # Debian makes the "main" cluster when the package is installed; a machine set up
    # with create_main_cluster = false has none yet.
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'; then
        pg_createcluster "$version" main >/dev/null || { PG_WHY="pg_createcluster $version main failed"; return 1; }
    fi
    # The package's install script may have started it already (status 0 = running).
    if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
        say "starting PostgreSQL $version (pg_ctlcluster $version main start)"
        if ! pg_ctlcluster "$version" main start && ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
            PG_WHY="pg_ctlcluster $version main start failed (see /var/log/postgresql/)"
            return 1
        fi
    fi
    local port
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    # Idempotent: a second run finds the role (and resets its password) and the database.
    as_postgres -p "$port" -d postgres -v role="$PG_ROLE" -v password="$PG_PASSWORD" <<'SQL' \
        || { PG_WHY="could not create the role $PG_ROLE"; return 1; }
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
\gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SQL
    # UTF8 whatever the cluster's locale (a container's is often C/SQL_ASCII): runs store
    # Chinese explanations. The C collation is valid with any encoding.
    as_postgres -p "$port" -d postgres -v role="$PG_ROLE" -v db="$PG_DATABASE" <<'SQL' \
        || { PG_WHY="could not create the database $PG_DATABASE"; return 1; }
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L LC_COLLATE %L LC_CTYPE %L TEMPLATE template0',
              :'db', :'role', 'UTF8', 'C', 'C')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
SQL
    PG_URL="postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
}

if [ -n "${ROBOARENA_TEST_DATABASE_URL:-}" ]; then
    say "PostgreSQL for the judge tests: ROBOARENA_TEST_DATABASE_URL from the environment"
elif setup_postgres; then
    export ROBOARENA_TEST_DATABASE_URL="$PG_URL"
    say "PostgreSQL for the judge tests: ${PG_URL/:$PG_PASSWORD@/:***@}"
elif [ -n "${CI:-}" ]; then
    # CI must test both databases: stop here, with the reason, rather than in every test.
    say "no PostgreSQL for the judge tests: $PG_WHY"
    exit 1
else
    say "the PostgreSQL half of the judge tests will be skipped: $PG_WHY"
fi

# The end-to-end tests (tests/e2e) drive Debian's Chromium; without it they are skipped,
# except in CI, where they fail and say why.
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "the end-to-end tests will be skipped: $CHROMIUM is not installed, and installing it needs root and apt-get"
    else
        say "installing Chromium with apt-get (for the end-to-end tests)"
        if ! { apt_update_once && apt-get install -y -qq chromium >/dev/null; }; then
            say "apt-get could not install chromium: the end-to-end tests will say so"
        fi
    fi
fi

python3 -m venv .venv && .venv/bin/python -m pip install -q -e ".[test]" && npm ci --prefix firmware/virtual --no-audit --no-fund && .venv/bin/python -m pytest "$@"
