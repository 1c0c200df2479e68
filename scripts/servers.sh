#!/usr/bin/env bash
# Starts / stops the real servers the integration tests need: Redis, PostgreSQL, RabbitMQ.
#
#   scripts/servers.sh start    install what is missing (Debian packages), start all three, wait until ready
#   scripts/servers.sh stop     stop them and remove the state folder
#   scripts/servers.sh status   say for each server whether it answers
#   scripts/servers.sh env      print `export` lines for the tests:  eval "$(scripts/servers.sh env)"
#
# Everything listens on 127.0.0.1 only and keeps its data in a throw-away state folder.
# No systemd and no Docker are needed; the script must run as root to install packages
# (as any other user it works if the packages are already installed).
#
# Settings (environment):
#   TASKS_SERVERS_DIR         state folder                      (default /tmp/tasks-servers)
#   TASKS_REDIS_PORT          Redis port                        (default 6391)
#   TASKS_REDIS_TLS_PORT      Redis TLS port (same server)      (default Redis port + 1)
#   TASKS_POSTGRES_PORT       PostgreSQL port                   (default 5441)
#   TASKS_RABBITMQ_PORT       RabbitMQ AMQP port                (default 5681)
#   TASKS_RABBITMQ_DIST_PORT  RabbitMQ Erlang distribution port (default AMQP port + 20000)
#   TASKS_EPMD_PORT           Erlang port mapper port           (default 4381)
#
# `start` is idempotent: servers from an earlier `start` with the same state folder that are still
# alive and answering are reused; dead ones (stale pid files) are cleaned up and started again.
set -euo pipefail

STATE_DIR="${TASKS_SERVERS_DIR:-/tmp/tasks-servers}"
STATE_DIR="${STATE_DIR%/}"
[[ "$STATE_DIR" == /* ]] || STATE_DIR="$PWD/$STATE_DIR"
REDIS_PORT="${TASKS_REDIS_PORT:-6391}"
REDIS_TLS_PORT="${TASKS_REDIS_TLS_PORT:-$((REDIS_PORT + 1))}"
PG_PORT="${TASKS_POSTGRES_PORT:-5441}"
RMQ_PORT="${TASKS_RABBITMQ_PORT:-5681}"
RMQ_DIST_PORT="${TASKS_RABBITMQ_DIST_PORT:-$((RMQ_PORT + 20000))}"
EPMD_PORT="${TASKS_EPMD_PORT:-4381}"
HOST=127.0.0.1
PG_DB=tasks
PG_USER=postgres
RMQ_NODE=tasks@localhost
RMQ_LIB=/usr/lib/rabbitmq/bin

for _port in "$REDIS_PORT" "$REDIS_TLS_PORT" "$PG_PORT" "$RMQ_PORT" "$RMQ_DIST_PORT" "$EPMD_PORT"; do
  if ! [[ "$_port" =~ ^[0-9]+$ ]] || ((_port < 1 || _port > 65535)); then
    echo "servers.sh: invalid port '$_port' (check the TASKS_*_PORT variables)" >&2; exit 2
  fi
done
unset _port

REDIS_DIR="$STATE_DIR/redis"
REDIS_TLS_DIR="$REDIS_DIR/tls"
PG_DIR="$STATE_DIR/postgres"
PG_DATA="$PG_DIR/data"
RMQ_DIR="$STATE_DIR/rabbitmq"
RMQ_PIDFILE="$RMQ_DIR/rabbitmq.pid"

log() { printf '%s\n' "$*"; }
err() { printf 'servers.sh: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
elapsed() { # elapsed START_MS -> "1.23s"
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%02ds' $((ms / 1000)) $(((ms % 1000) / 10))
}

# ---------------------------------------------------------------------------------------------
# Ports: the ones used by `start` are recorded so that status/stop/env agree with it.
# ---------------------------------------------------------------------------------------------
PORTS_FILE="$STATE_DIR/ports"
requested_ports="REDIS_PORT=$REDIS_PORT REDIS_TLS_PORT=$REDIS_TLS_PORT PG_PORT=$PG_PORT RMQ_PORT=$RMQ_PORT RMQ_DIST_PORT=$RMQ_DIST_PORT EPMD_PORT=$EPMD_PORT"

load_recorded_ports() {
  if [[ -f "$PORTS_FILE" ]]; then
    local kv
    # shellcheck disable=SC2013 # the file is one line of KEY=VALUE words
    for kv in $(cat "$PORTS_FILE"); do
      case "$kv" in
        REDIS_PORT=*|REDIS_TLS_PORT=*|PG_PORT=*|RMQ_PORT=*|RMQ_DIST_PORT=*|EPMD_PORT=*)
          [[ "${kv#*=}" =~ ^[0-9]+$ ]] && printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      esac
    done
  fi
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------
# alive PID: the process exists and is not a zombie. (PID 1 here reaps slowly, so `kill -0`
# keeps succeeding for a while after exit; /proc/PID/stat tells the truth.)
alive() {
  local pid="${1:-}" stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z && "${stat%% *}" != X ]]
}

# alive_as PID WORD: alive and its command line contains WORD (guards against recycled pids).
alive_as() {
  alive "$1" || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$2"* ]]
}

read_pid() { # first line of a pid file, digits only; empty if there is none
  if [[ -f "$1" ]]; then head -n1 "$1" 2>/dev/null | tr -dc '0-9' || true; fi
}

# wait_gone PID SECONDS: wait for the process to exit; true if it did.
wait_gone() {
  local pid="$1" deadline=$(( $(date +%s) + $2 ))
  while alive "$pid"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.1
  done
}

# terminate PID [SIGNAL] [SECONDS]: signal it, wait, escalate to SIGKILL.
terminate() {
  local pid="$1" sig="${2:-TERM}" secs="${3:-20}"
  alive "$pid" || return 0
  kill -s "$sig" "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$secs"; then
    err "pid $pid did not exit after SIG$sig within ${secs}s; sending SIGKILL"
    kill -s KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || err "pid $pid is still there"
  fi
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# port_owner PORT: who listens on PORT (any address), for error messages.
port_owner() {
  command -v ss >/dev/null 2>&1 || { echo "(unknown: ss is not installed)"; return; }
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(\(.*\))$/\1/p' | head -n1
}

listener_pids() { # PIDs listening on TCP PORT on any address (needs ss)
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

require_free_port() { # PORT WHAT
  if port_open "$1" || [[ -n "$(listener_pids "$1")" ]]; then
    die "cannot start $2: port $1 is already in use by $(port_owner "$1"). Stop that process or choose another port (see the settings at the top of $0)."
  fi
}

tail_log() { # FILE...
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    err "----- last lines of $f -----"
    tail -n 40 "$f" >&2 || true
  done
  err "-----"
}

# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------
PG_BIN=""
find_pg_bin() {
  local d best="" bestv=0 v
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
    v="${d#/usr/lib/postgresql/}"; v="${v%%/*}"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if (( v > bestv )); then bestv=$v; best=$d; fi
  done
  PG_BIN="$best"
  [[ -n "$PG_BIN" ]]
}

find_epmd() {
  local e
  e="$(command -v epmd 2>/dev/null || true)"
  if [[ -z "$e" ]]; then
    for e in /usr/lib/erlang/erts-*/bin/epmd; do :; done   # the last (newest) match, if any
    [[ -x "$e" ]] || e=""
  fi
  printf '%s' "$e"
}

INSTALLED_NOW=0
ensure_installed() {
  local pkgs=()
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-server)
  command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
  [[ -x "$RMQ_LIB/rabbitmq-server" && -x "$RMQ_LIB/rabbitmqctl" && -n "$(find_epmd)" ]] || pkgs+=(rabbitmq-server)
  find_pg_bin || pkgs+=(postgresql)
  ((${#pkgs[@]} == 0)) && return 0

  [[ $EUID -eq 0 ]] || die "missing packages: ${pkgs[*]}. Run as root, or install them: apt-get install ${pkgs[*]}"
  command -v apt-get >/dev/null 2>&1 || die "missing packages: ${pkgs[*]}, and apt-get is not available to install them"
  local t0; t0=$(now_ms)
  log "installing ${pkgs[*]} (apt-get) ..."
  local out="$STATE_DIR/apt.log"
  mkdir -p "$STATE_DIR"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 "${pkgs[@]}"; } \
      </dev/null >"$out" 2>&1 9>&-; then
    tail_log "$out"
    die "apt-get failed to install ${pkgs[*]} (full output: $out)"
  fi
  INSTALLED_NOW=1
  find_pg_bin || die "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found"
  log "installed ${pkgs[*]} in $(elapsed "$t0")"
}

# Debian's install scripts may have started the system services on their default ports
# (unless a policy-rc.d forbids it). We only touch them right after WE installed the packages,
# identify them by pid file or by the owner of the default port, and never kill by name.
stop_autostarted_services() {
  ((INSTALLED_NOW)) || return 0
  local entry pidfile port comm sig pid pids
  for entry in \
      "/run/redis/redis-server.pid 6379 redis-server TERM" \
      "/run/rabbitmq/pid 5672 beam.smp TERM" \
      "- 25672 beam.smp TERM" \
      "- 4369 epmd TERM" \
      "/run/postgresql/$(basename "$(dirname "$PG_BIN")")-main.pid 5432 postgres INT"; do
    read -r pidfile port comm sig <<<"$entry"
    pids="$( { [[ "$pidfile" != - ]] && read_pid "$pidfile"; listener_pids "$port"; } | sort -u)"
    for pid in $pids; do
      alive "$pid" || continue
      [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm"* ]] || continue
      log "stopping $comm (pid $pid) that the Debian package started on port $port"
      terminate "$pid" "$sig" 30
    done
  done
}

# ---------------------------------------------------------------------------------------------
# Health checks
# ---------------------------------------------------------------------------------------------
redis_answers() {
  [[ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] &&
    [[ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_TLS_PORT" --tls --cacert "$REDIS_TLS_DIR/ca.crt" ping 2>/dev/null)" == PONG ]]
}

pg_answers() { # server up and the tasks database reachable
  find_pg_bin || return 1
  timeout 5 "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres || return 1
  [[ "$(timeout 5 "$PG_BIN/psql" -X -q -A -t -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
        -c 'select 1' 2>/dev/null)" == 1 ]]
}

# AMQP 0-9-1 handshake: send the protocol header; a broker answers with a Connection.Start
# method frame (frame type 1, channel 0). Cheap (no rabbitmqctl call, which costs ~0.65 s).
rabbitmq_answers() {
  local reply
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$RMQ_PORT && printf 'AMQP\\x00\\x00\\x09\\x01' >&3 \
            && head -c 3 <&3 | od -An -tx1" 2>/dev/null | tr -d ' \n')" || return 1
  [[ "$reply" == 010000 ]]
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ environment (server and rabbitmqctl must share it, including HOME for the cookie)
# ---------------------------------------------------------------------------------------------
rmq_env() {
  export HOME="$RMQ_DIR/home"
  export ERL_EPMD_ADDRESS="$HOST" ERL_EPMD_PORT="$EPMD_PORT"
  export RABBITMQ_NODENAME="$RMQ_NODE"
  export RABBITMQ_NODE_IP_ADDRESS="$HOST" RABBITMQ_NODE_PORT="$RMQ_PORT" RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  export RABBITMQ_PID_FILE="$RMQ_PIDFILE"
  export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbitmqctl() { ( rmq_env; "$RMQ_LIB/rabbitmqctl" "$@" ); }

# ---------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------
RMQ_T0=0
RMQ_MODE=""

stop_redis() {
  local pid; pid="$(read_pid "$REDIS_DIR/redis.pid")"
  [[ -n "$pid" ]] && alive_as "$pid" redis-server && terminate "$pid" TERM 20
  return 0
}

stop_postgres() {
  local pid; pid="$(read_pid "$PG_DATA/postmaster.pid")"
  if [[ -n "$pid" ]] && alive_as "$pid" postgres; then
    if find_pg_bin; then
      as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -t 30 stop >/dev/null 2>&1 || true
    fi
    terminate "$pid" INT 30 # fast shutdown if pg_ctl did not do it; waits for the exit
  fi
  return 0
}

stop_rabbitmq() {
  local pid wrapper epmd
  pid="$(read_pid "$RMQ_PIDFILE")"
  wrapper="$(read_pid "$RMQ_DIR/wrapper.pid")"
  epmd="$(read_pid "$RMQ_DIR/epmd.pid")"
  # SIGTERM makes the Erlang VM shut RabbitMQ down cleanly (no rabbitmqctl round trip needed).
  [[ -n "$pid" ]] && alive_as "$pid" beam && terminate "$pid" TERM 30
  [[ -n "$wrapper" ]] && alive_as "$wrapper" rabbitmq-server && terminate "$wrapper" TERM 10
  [[ -n "$epmd" ]] && alive_as "$epmd" epmd && terminate "$epmd" TERM 10
  return 0
}

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Every folder above the state folder must be searchable by the postgres user.
make_reachable_for_postgres() {
  [[ $EUID -eq 0 ]] || return 0
  local d="" part parts
  IFS=/ read -r -a parts <<<"$(cd "$STATE_DIR" && pwd -P)"
  for part in "${parts[@]}"; do   # from the root down
    [[ -n "$part" ]] || continue
    d+="/$part"
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      log "note: chmod o+x $d so that the postgres user can reach $STATE_DIR"
      chmod o+x "$d"
    fi
  done
}

begin_rabbitmq() {
  local pid
  pid="$(read_pid "$RMQ_PIDFILE")"
  if [[ -n "$pid" ]] && alive_as "$pid" beam && rabbitmq_answers; then
    RMQ_MODE=reused; return 0
  fi
  stop_rabbitmq
  rm -rf "$RMQ_DIR"
  require_free_port "$RMQ_PORT" RabbitMQ
  require_free_port "$RMQ_DIST_PORT" "RabbitMQ (distribution port)"
  require_free_port "$EPMD_PORT" "epmd for RabbitMQ"
  RMQ_T0=$(now_ms)
  mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  echo '[].' >"$RMQ_DIR/enabled_plugins"
  cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# Throw-away test broker. The AMQP listener ($HOST:$RMQ_PORT) comes from RABBITMQ_NODE_IP_ADDRESS/PORT.
loopback_users.guest = true
EOF
  # Pre-create the Erlang cookie so that the server and rabbitmqctl cannot race to create it.
  local cookie="" i letters=ABCDEFGHIJKLMNOPQRSTUVWXYZ
  for ((i = 0; i < 20; i++)); do cookie+="${letters:RANDOM % 26:1}"; done
  (umask 077; printf '%s' "$cookie" >"$RMQ_DIR/home/.erlang.cookie")
  chmod 400 "$RMQ_DIR/home/.erlang.cookie"

  local epmd; epmd="$(find_epmd)"
  # (9>&-: daemons must not inherit the lock of with_lock, nor our stdout.)
  ( rmq_env; cd "$RMQ_DIR"; exec setsid "$epmd" -address "$HOST" -port "$EPMD_PORT" ) \
    </dev/null >"$RMQ_DIR/epmd.log" 2>&1 9>&- &
  echo $! >"$RMQ_DIR/epmd.pid"
  # (`epmd -names` rather than a bare TCP probe, which epmd logs as a "partial packet".)
  for ((i = 0; i < 100; i++)); do
    ERL_EPMD_ADDRESS="$HOST" timeout 5 "$epmd" -port "$EPMD_PORT" -names >/dev/null 2>&1 && break
    sleep 0.05
  done
  ((i < 100)) || { tail_log "$RMQ_DIR/epmd.log"; die "epmd did not start on $HOST:$EPMD_PORT"; }

  ( rmq_env; cd "$RMQ_DIR"; exec setsid "$RMQ_LIB/rabbitmq-server" ) \
    </dev/null >"$RMQ_DIR/console.log" 2>&1 9>&- &
  echo $! >"$RMQ_DIR/wrapper.pid"
  RMQ_MODE=started
}

finish_rabbitmq() {
  if [[ "$RMQ_MODE" == started ]]; then
    if ! rabbitmqctl wait --timeout 120 "$RMQ_PIDFILE" >"$RMQ_DIR/wait.log" 2>&1 \
        || ! rabbitmq_answers; then
      tail_log "$RMQ_DIR/wait.log" "$RMQ_DIR/console.log" "$RMQ_DIR/log/$RMQ_NODE.log"
      die "RabbitMQ did not become ready on $HOST:$RMQ_PORT (state in $RMQ_DIR)"
    fi
    log "rabbitmq  amqp://$HOST:$RMQ_PORT/  started, ready in $(elapsed "$RMQ_T0") (pid $(read_pid "$RMQ_PIDFILE"), epmd $HOST:$EPMD_PORT)"
  else
    log "rabbitmq  amqp://$HOST:$RMQ_PORT/  reused (pid $(read_pid "$RMQ_PIDFILE"))"
  fi
}

# A throw-away certificate authority and a server certificate for 127.0.0.1/localhost, so the tests can
# connect over TLS to the same server and check its certificate against this authority.
make_redis_certificates() {
  mkdir -p "$REDIS_TLS_DIR"
  if ! { openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=tasks test CA" \
           -keyout "$REDIS_TLS_DIR/ca.key" -out "$REDIS_TLS_DIR/ca.crt" &&
         openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
           -keyout "$REDIS_TLS_DIR/redis.key" -out "$REDIS_TLS_DIR/redis.csr" &&
         printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$REDIS_TLS_DIR/san.ext" &&
         openssl x509 -req -in "$REDIS_TLS_DIR/redis.csr" -CA "$REDIS_TLS_DIR/ca.crt" -CAkey "$REDIS_TLS_DIR/ca.key" \
           -CAcreateserial -days 30 -extfile "$REDIS_TLS_DIR/san.ext" -out "$REDIS_TLS_DIR/redis.crt"; } \
       >"$REDIS_TLS_DIR/openssl.log" 2>&1; then
    tail_log "$REDIS_TLS_DIR/openssl.log"
    die "could not make the test certificates for Redis TLS (openssl)"
  fi
}

start_redis() {
  local pid t0
  pid="$(read_pid "$REDIS_DIR/redis.pid")"
  if [[ -n "$pid" ]] && alive_as "$pid" redis-server && redis_answers; then
    log "redis     $HOST:$REDIS_PORT (TLS $REDIS_TLS_PORT)  reused (pid $pid)"; return 0
  fi
  stop_redis
  rm -rf "$REDIS_DIR"
  require_free_port "$REDIS_PORT" Redis
  require_free_port "$REDIS_TLS_PORT" "Redis (TLS)"
  t0=$(now_ms)
  mkdir -p "$REDIS_DIR"
  make_redis_certificates
  if ! redis-server --port "$REDIS_PORT" --bind "$HOST" --save '' --appendonly no \
      --tls-port "$REDIS_TLS_PORT" --tls-auth-clients no --tls-ca-cert-file "$REDIS_TLS_DIR/ca.crt" \
      --tls-cert-file "$REDIS_TLS_DIR/redis.crt" --tls-key-file "$REDIS_TLS_DIR/redis.key" \
      --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
      --logfile "$REDIS_DIR/redis.log" </dev/null >"$REDIS_DIR/start.log" 2>&1 9>&-; then
    tail_log "$REDIS_DIR/start.log" "$REDIS_DIR/redis.log"
    die "Redis failed to start on $HOST:$REDIS_PORT"
  fi
  local i
  for ((i = 0; i < 200; i++)); do redis_answers && break; sleep 0.05; done
  if ! redis_answers; then
    tail_log "$REDIS_DIR/start.log" "$REDIS_DIR/redis.log"
    die "Redis did not answer PING on $HOST:$REDIS_PORT within 10s"
  fi
  log "redis     $HOST:$REDIS_PORT (TLS $REDIS_TLS_PORT)  started, ready in $(elapsed "$t0") (pid $(read_pid "$REDIS_DIR/redis.pid"))"
}

start_postgres() {
  local pid t0
  pid="$(read_pid "$PG_DATA/postmaster.pid")"
  if [[ -n "$pid" ]] && alive_as "$pid" postgres && pg_answers; then
    log "postgres  $HOST:$PG_PORT  reused (pid $pid, database $PG_DB)"; return 0
  fi
  stop_postgres
  rm -rf "$PG_DIR"
  require_free_port "$PG_PORT" PostgreSQL
  [[ $EUID -ne 0 ]] || id postgres >/dev/null 2>&1 || die "the postgres user does not exist (is the postgresql package installed?)"
  t0=$(now_ms)
  mkdir -p "$PG_DIR"
  chmod 755 "$STATE_DIR"
  make_reachable_for_postgres
  [[ $EUID -eq 0 ]] && chown postgres: "$PG_DIR"
  chmod 700 "$PG_DIR"
  if ! as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync </dev/null >"$PG_DIR/initdb.log" 2>&1; then
    tail_log "$PG_DIR/initdb.log"
    die "PostgreSQL initdb failed in $PG_DATA"
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k '$PG_DIR' -c listen_addresses=$HOST -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start </dev/null >"$PG_DIR/pg_ctl.log" 2>&1 9>&-; then
    tail_log "$PG_DIR/pg_ctl.log" "$PG_DIR/postgres.log"
    die "PostgreSQL failed to start on $HOST:$PG_PORT"
  fi
  if ! "$PG_BIN/createdb" -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -O "$PG_USER" "$PG_DB" >"$PG_DIR/createdb.log" 2>&1 \
      || ! pg_answers; then
    tail_log "$PG_DIR/createdb.log" "$PG_DIR/postgres.log"
    die "PostgreSQL started but the database '$PG_DB' is not usable on $HOST:$PG_PORT"
  fi
  log "postgres  $HOST:$PG_PORT  started, ready in $(elapsed "$t0") (pid $(read_pid "$PG_DATA/postmaster.pid"), database $PG_DB)"
}

cmd_start() {
  local t0; t0=$(now_ms)
  # If an earlier start used other ports, its servers cannot be reused: stop them first.
  if [[ -f "$PORTS_FILE" && "$(cat "$PORTS_FILE")" != "$requested_ports" ]]; then
    log "the servers in $STATE_DIR were started with other ports ($(cat "$PORTS_FILE")); restarting them"
    ( load_recorded_ports; stop_redis; stop_postgres; stop_rabbitmq )
    rm -rf "$STATE_DIR"
  fi
  mkdir -p "$STATE_DIR"
  ensure_installed
  stop_autostarted_services
  echo "$requested_ports" >"$PORTS_FILE"

  begin_rabbitmq      # slowest: start it first ...
  start_redis
  start_postgres
  finish_rabbitmq     # ... and wait for it last
  log "servers ready in $(elapsed "$t0") (state in $STATE_DIR)"
}

cmd_stop() {
  load_recorded_ports
  if [[ ! -d "$STATE_DIR" ]]; then log "nothing to stop ($STATE_DIR does not exist)"; return 0; fi
  local t0; t0=$(now_ms)
  stop_redis
  stop_postgres
  stop_rabbitmq
  rm -rf "$STATE_DIR"
  log "servers stopped in $(elapsed "$t0"); removed $STATE_DIR"
}

cmd_status() {
  load_recorded_ports
  local bad=0
  if redis_answers; then log "redis     $HOST:$REDIS_PORT (TLS $REDIS_TLS_PORT)  answers"; else log "redis     $HOST:$REDIS_PORT (TLS $REDIS_TLS_PORT)  NOT answering"; bad=1; fi
  if pg_answers; then log "postgres  $HOST:$PG_PORT  answers (database $PG_DB)"; else log "postgres  $HOST:$PG_PORT  NOT answering"; bad=1; fi
  if rabbitmq_answers; then log "rabbitmq  $HOST:$RMQ_PORT  answers (AMQP)"; else log "rabbitmq  $HOST:$RMQ_PORT  NOT answering"; bad=1; fi
  return $bad
}

cmd_env() {
  load_recorded_ports
  echo "export TASKS_TEST_REDIS=$HOST:$REDIS_PORT"
  echo "export TASKS_TEST_REDIS_TLS=$HOST:$REDIS_TLS_PORT"
  echo "export TASKS_TEST_REDIS_TLS_CA=$REDIS_TLS_DIR/ca.crt"
  echo "export TASKS_TEST_POSTGRES=\"Host=$HOST;Port=$PG_PORT;Username=$PG_USER;Database=$PG_DB\""
  echo "export TASKS_TEST_RABBITMQ=amqp://guest:guest@$HOST:$RMQ_PORT/"
}

# One `start`/`stop` at a time per state folder (the lock file lives next to it: the folder
# itself is removed by `stop`).
with_lock() {
  mkdir -p "$(dirname "$STATE_DIR")"
  exec 9>"$STATE_DIR.lock"
  flock -w 600 9 || die "timed out waiting for another servers.sh on $STATE_DIR"
  "$@"
}

case "${1:-}" in
  start)  with_lock cmd_start ;;
  stop)   with_lock cmd_stop ;;
  status) cmd_status ;;
  env)    cmd_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
