# shellcheck shell=bash
# A throwaway PostgreSQL primary and streaming replica on loopback, for tests.
# Sourced by scripts/test and scripts/pg-env, which run under set -euo pipefail.
#
#   pg_ensure_packages  installs missing packages (root) or says how (others)
#   pg_start DIR        primary and replica under DIR (an empty directory in
#                       /tmp); sets PG_PRIMARY_PORT and PG_REPLICA_PORT. With
#                       PG_WITH_REPLICA=0 only the primary (PG_REPLICA_PORT empty).
#                       Also, unless PG_WITH_TLS=0, a throwaway CA and TLS
#                       certificates under DIR/tls (see pg_make_certificates),
#                       with `ssl = on` on both servers; and the roles of the
#                       least-privilege tests (see pg_create_roles)
#   pg_stop DIR         stops both servers and removes DIR
#
# The server refuses to run as root, so as root every server program runs as
# the `postgres` user (created by the postgresql package).

PG_LOG_NAME=${PG_LOG_NAME:-postgres.sh}
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

pg_say() { printf '%s: %s\n' "$PG_LOG_NAME" "$*" >&2; }

pg_is_root() { [ "$(id -u)" -eq 0 ]; }

# The newest installed server's bin directory. Debian's pg_config (libpq-dev)
# prints /usr/bin, which holds only client wrappers, so look there last.
pg_bindir() {
  local dir
  for dir in "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)" \
             "$(pg_config --bindir 2>/dev/null || true)"; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_basebackup" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Debian's paths: apt-get is how the missing ones get installed.
pg_missing_packages() {
  local missing=()
  [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
  [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v openssl >/dev/null || missing+=(openssl)
  echo "${missing[*]}"
}

pg_ensure_packages() {
  local missing
  missing=$(pg_missing_packages)
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086 # one word per package
  apt_install pg_say "the PostgreSQL tests and the build need them" $missing || return 1
  missing=$(pg_missing_packages)
  [ -z "$missing" ] || { pg_say "still missing after apt-get: $missing"; return 1; }
}

# Runs server program $1 from PG_BIN inside PG_DIR, as postgres when root.
pg_run() {
  local prog=$PG_BIN/$1 as=()
  shift
  if pg_is_root; then as=(runuser -u postgres --); fi
  (cd "$PG_DIR" && "${as[@]}" "$prog" "$@")
}

pg_psql() {
  local port=$1
  shift
  "$PG_BIN/psql" -X -Atq -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

# Waits up to 30 s until query $2 on port $1 answers true.
pg_wait_for() {
  local i
  for i in $(seq 300); do
    [ "$(pg_psql "$1" -c "$2" 2>/dev/null || true)" = t ] && return 0
    sleep 0.1
  done
  return 1
}

# First port from $1 up on which nothing accepts connections.
pg_free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Starts the cluster PG_DIR/$1 on a free port from $2 up and sets PG_PORT.
# Another run may take the port between probe and start: then try the next.
pg_start_server() {
  local name=$1 port=$2 log=$PG_DIR/$1.log attempt
  for attempt in 1 2 3 4 5; do
    port=$(pg_free_port "$port")
    pg_say "starting PostgreSQL $name on 127.0.0.1:$port"
    [ -f "$log" ] && : >"$log"
    if pg_run pg_ctl -D "$PG_DIR/$name" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      PG_PORT=$port
      return 0
    fi
    grep -q 'could not bind\|could not create any TCP/IP sockets' "$log" 2>/dev/null || break
    port=$((port + 1))
  done
  pg_say "PostgreSQL $name failed to start (attempt $attempt); end of $log:"
  tail -n 30 "$log" >&2 || true
  return 1
}

# A throwaway CA and the certificates the TLS tests use, made with openssl
# in PG_DIR/tls for this run only (never committed):
#   ca.crt                  the CA that signed the server's certificate
#   server.crt, server.key  the servers' (CN localhost, SAN DNS:localhost and
#                           IP:127.0.0.1), so sslmode=verify-full works on
#                           either name
#   other-ca.crt            a CA that signed nothing here: verify-full with it fails
#   client.crt, client.key  a client certificate for the role shoal_cert (its
#                           CN), the key encrypted with the passphrase in
#                           client.passphrase (libpq's sslpassword)
pg_make_certificates() {
  local tls=$PG_DIR/tls
  mkdir -p "$tls"
  (
    set -e
    cd "$tls"
    quiet() { "$@" >/dev/null 2>&1 || { pg_say "openssl failed: $*"; "$@" >&2; return 1; }; }
    quiet openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=shoal test CA" \
      -keyout ca.key -out ca.crt
    quiet openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=shoal other CA" \
      -keyout other-ca.key -out other-ca.crt
    printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >server.ext
    quiet openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
    quiet openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.crt
    printf 'shoal-test-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >client.passphrase
    quiet openssl req -new -newkey rsa:2048 -subj "/CN=shoal_cert" -passout file:client.passphrase \
      -keyout client.key -out client.csr
    quiet openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt
    rm -f ./*.csr server.ext ca.srl
    chmod 600 ./*.key
  ) || return 1
  # The server reads its key as postgres; libpq reads the client's as us.
  if pg_is_root; then chown postgres: "$tls/server.key" "$tls/server.crt"; fi
}

# The roles of the least-privilege tests (cluster-wide, so the replica has
# them too):
#   shoal_owner     NOLOGIN CREATEDB: owns what migrations create (`role`)
#   shoal_migrator  LOGIN CREATEDB, a member of shoal_owner: runs shoal; only
#                   over TLS (pg_hba `hostnossl … reject`) when TLS is on
#   shoal_limited   LOGIN, a member of nothing, no CREATEDB: the errors of a
#                   role that lacks a privilege
#   shoal_cert      LOGIN, a member of shoal_owner: logs in only with the
#                   client certificate (pg_hba `cert`)
pg_create_roles() {
  pg_psql "$1" <<'SQL'
CREATE ROLE shoal_owner NOLOGIN CREATEDB;
CREATE ROLE shoal_migrator LOGIN CREATEDB IN ROLE shoal_owner;
CREATE ROLE shoal_limited LOGIN;
CREATE ROLE shoal_cert LOGIN IN ROLE shoal_owner;
SQL
}

pg_start() {
  PG_DIR=$1
  PG_BIN=$(pg_bindir) || { pg_say "no PostgreSQL server binaries (initdb) found"; return 1; }
  touch "$PG_DIR/.shoal-pg"
  if pg_is_root; then chown postgres: "$PG_DIR"; fi

  if ! pg_run initdb -D "$PG_DIR/primary" -A trust -U postgres --no-sync -E UTF8 --locale=C \
      >"$PG_DIR/initdb.log" 2>&1; then
    pg_say "initdb failed:"
    tail -n 30 "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # Fast and throwaway: no durability. The replica's copy inherits all this.
  # max_connections: the whole suite's parallel tests, the shoal processes
  # they start, and their sessions, with room to spare (300 ran out once the
  # least-privilege, TLS, partition and per-target suites joined).
  cat >>"$PG_DIR/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
wal_level = replica
max_wal_senders = 10
max_connections = 1000
fsync = off
synchronous_commit = off
full_page_writes = off
hot_standby = on
EOF
  local cert_line=
  if [ "${PG_WITH_TLS:-1}" != 0 ]; then
    pg_make_certificates || { pg_say "could not make the TLS certificates"; return 1; }
    cat >>"$PG_DIR/primary/postgresql.conf" <<EOF
ssl = on
ssl_cert_file = '$PG_DIR/tls/server.crt'
ssl_key_file = '$PG_DIR/tls/server.key'
ssl_ca_file = '$PG_DIR/tls/ca.crt'
EOF
    # shoal_cert logs in over TLS with its certificate, or not at all (`host
    # … trust` below would otherwise let it in without TLS: libpq's
    # sslmode=prefer retries so); shoal_migrator over TLS only, so that every
    # least-privilege test is a TLS test too.
    cert_line="hostssl all shoal_cert 127.0.0.1/32 cert
host    all shoal_cert 127.0.0.1/32 reject
hostnossl all shoal_migrator 127.0.0.1/32 reject"
  fi
  cat >"$PG_DIR/primary/pg_hba.conf" <<EOF
$cert_line
local all         all              trust
local replication all              trust
host  all         all 127.0.0.1/32 trust
host  replication all 127.0.0.1/32 trust
EOF
  pg_start_server primary 54320 || return 1
  PG_PRIMARY_PORT=$PG_PORT
  pg_create_roles "$PG_PRIMARY_PORT" || { pg_say "could not create the test roles"; return 1; }
  PG_REPLICA_PORT=
  if [ "${PG_WITH_REPLICA:-1}" = 0 ]; then return 0; fi

  # A replication slot keeps the primary's WAL until the replica has it.
  if ! pg_run pg_basebackup -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U postgres -D "$PG_DIR/replica" \
      -R -X stream -C -S shoal_replica -c fast --no-sync >"$PG_DIR/basebackup.log" 2>&1; then
    pg_say "pg_basebackup failed:"
    tail -n 30 "$PG_DIR/basebackup.log" >&2
    return 1
  fi
  pg_start_server replica $((PG_PRIMARY_PORT + 1)) || return 1
  PG_REPLICA_PORT=$PG_PORT

  if ! pg_wait_for "$PG_REPLICA_PORT" 'SELECT pg_is_in_recovery()' ||
     ! pg_wait_for "$PG_PRIMARY_PORT" "SELECT count(*) > 0 FROM pg_stat_replication WHERE state = 'streaming'"; then
    pg_say "the replica on port $PG_REPLICA_PORT is not streaming from the primary; end of its log:"
    tail -n 30 "$PG_DIR/replica.log" >&2
    return 1
  fi
  pg_say "replica streaming on 127.0.0.1:$PG_REPLICA_PORT"
}

pg_stop() {
  local dir=$1 name pid
  [ -n "$dir" ] && [ -f "$dir/.shoal-pg" ] || return 0
  PG_DIR=$dir
  PG_BIN=${PG_BIN:-$(pg_bindir || true)}
  for name in replica primary; do
    [ -f "$dir/$name/postmaster.pid" ] || continue
    pg_run pg_ctl -D "$dir/$name" -m immediate -w stop >/dev/null 2>&1 || true
    # Should pg_ctl fail, stop the postmaster we started, by its pid file.
    pid=$(head -n 1 "$dir/$name/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$dir"
}
