# shellcheck shell=bash
# Sourceable: makes sure the local servers a test run needs are answering.
#
#   source scripts/services.sh && conveyor_ensure_services postgresql redis
#
# Names: postgresql, mariadb, redis, rabbitmq, and chromium (not a server: the headless browser and its driver that
# conveyor-web's browser test drives; it is only checked and installed). For each one it
#   1. checks it (pg_isready / mariadb-admin ping / redis-cli ping / rabbitmq-diagnostics ping);
#   2. if its programs are missing: installs the Debian package when we are root, else says what to install;
#   3. if it is down: starts it with the start command of the shared SERVICES.md;
#   4. waits until it answers, at most CONVEYOR_SERVICE_TIMEOUT seconds (default 60);
#   5. for postgresql and mariadb: creates the `test` database if it is missing.
# It never stops or reconfigures a running server: other runs on this machine share them.
# Returns non-zero, after naming each service that failed, if any of them failed.

# --- per-service facts: programs, Debian package, check, start ---

_conveyor_svc_programs() {
  case $1 in
    postgresql) echo "pg_ctlcluster pg_isready psql" ;;
    mariadb) echo "mariadbd mariadb-admin mariadb" ;;
    redis) echo "redis-server redis-cli" ;;
    rabbitmq) echo "rabbitmq-server rabbitmq-diagnostics" ;;
    chromium) echo "chromium chromedriver" ;;
  esac
}

_conveyor_svc_package() {
  case $1 in
    postgresql) echo "postgresql" ;;
    mariadb) echo "mariadb-server mariadb-client" ;;
    redis) echo "redis-server redis-tools" ;;
    rabbitmq) echo "rabbitmq-server" ;;
    chromium) echo "chromium chromium-driver" ;;
  esac
}

# Succeeds when the service answers on loopback. Each probe is bounded, so a wedged server cannot hang us.
_conveyor_svc_check() {
  case $1 in
    postgresql) timeout 10 pg_isready -q -h 127.0.0.1 -p 5432 ;;
    # ping answers 0 whenever the server runs (even on "access denied"); -h 127.0.0.1 means TCP, as the tests use.
    mariadb) timeout 10 mariadb-admin --connect-timeout=5 -h 127.0.0.1 -P 3306 ping >/dev/null 2>&1 ;;
    redis) [ "$(timeout 10 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ] ;;
    rabbitmq) timeout 30 rabbitmq-diagnostics -q ping >/dev/null 2>&1 ;;
    # Installed and runnable is all the browser test needs (it starts its own headless instance).
    chromium) timeout 30 chromium --headless --no-sandbox --version >/dev/null 2>&1 \
        && timeout 10 chromedriver --version >/dev/null 2>&1 ;;
  esac
}

# The start commands of SERVICES.md, with the directories they assume (/run is emptied at boot).
_conveyor_svc_start() {
  case $1 in
    postgresql)
      local version
      version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
      [ -n "$version" ] || { echo "no cluster under /etc/postgresql" >&2; return 1; }
      pg_ctlcluster --skip-systemctl-redirect "$version" main start ;;
    mariadb)
      [ -d /run/mysqld ] || install -d -o mysql -g mysql /run/mysqld
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ;;
    redis)
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log ;;
    rabbitmq)
      rabbitmq-server -detached ;;
    chromium)
      echo "chromium is installed but does not run: try chromium --headless --no-sandbox --version" >&2
      return 1 ;;
  esac
}

_conveyor_svc_start_hint() {
  case $1 in
    postgresql) echo "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" ;;
    mariadb) echo "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd" ;;
    redis) echo "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log" ;;
    rabbitmq) echo "rabbitmq-server -detached" ;;
    chromium) echo "(not a server) apt-get install -y chromium chromium-driver" ;;
  esac
}

# After the server answers: the `test` database, reachable the way the tests log in (SERVICES.md).
_conveyor_svc_prepare() {
  case $1 in
    postgresql)
      # Trust auth on the socket and 127.0.0.1 (not ::1, so tests use 127.0.0.1, not localhost);
      # -w: never prompt for a password, fail instead.
      local psql=(psql -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres -d postgres)
      local exists
      if ! exists=$(PGCONNECT_TIMEOUT=10 "${psql[@]}" -tAc "select 1 from pg_database where datname = 'test'" 2>&1); then
        echo "PostgreSQL answers but user postgres cannot log in on 127.0.0.1 without a password: $exists" >&2
        echo "  the tests expect trust auth there (pg_hba.conf: host all all 127.0.0.1/32 trust)" >&2
        return 1
      fi
      if [ "$exists" != 1 ]; then
        echo "services: creating PostgreSQL database test" >&2
        PGCONNECT_TIMEOUT=10 "${psql[@]}" -c 'create database test' || return 1
      fi ;;
    mariadb)
      local out
      if ! out=$(timeout 20 mariadb --connect-timeout=5 -h 127.0.0.1 -P 3306 -u root \
          -e 'CREATE DATABASE IF NOT EXISTS test' 2>&1); then
        echo "MariaDB answers but root with an empty password cannot log in on 127.0.0.1: $out" >&2
        echo "  the tests expect root with an empty password (see SERVICES.md)" >&2
        return 1
      fi ;;
  esac
}

# --- the driver ---

_conveyor_ensure_service() {
  local name=$1 wait=${CONVEYOR_SERVICE_TIMEOUT:-60}
  local prog missing=() deadline out
  # Root's PATH may lack the sbin directories where mariadbd and rabbitmq-server live.
  local PATH="$PATH:/usr/sbin:/sbin"

  if [ -z "$(_conveyor_svc_programs "$name")" ]; then
    echo "services: unknown service '$name' (known: postgresql mariadb redis rabbitmq chromium)" >&2
    return 1
  fi

  for prog in $(_conveyor_svc_programs "$name"); do
    command -v "$prog" >/dev/null 2>&1 || missing+=("$prog")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local pkgs
    pkgs=$(_conveyor_svc_package "$name")
    if [ "$(id -u)" -ne 0 ]; then
      echo "services: $name is not installed (missing ${missing[*]}); install it: sudo apt-get install -y $pkgs" >&2
      return 1
    fi
    echo "services: $name is not installed (missing ${missing[*]}); apt-get install -y $pkgs" >&2
    # shellcheck disable=SC2086 # $pkgs is a list of package names
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs; } >&2; then
      echo "services: installing $name ($pkgs) failed" >&2
      return 1
    fi
  fi

  if _conveyor_svc_check "$name"; then
    echo "services: $name is up" >&2
  else
    if [ "$(id -u)" -ne 0 ]; then
      echo "services: $name is down, and only root can start it here: $(_conveyor_svc_start_hint "$name")" >&2
      return 1
    fi
    echo "services: $name is down; starting it" >&2
    # Output goes to a file, not a pipe: a daemon that keeps the pipe open would make us wait for it forever.
    out=$(mktemp)
    if ! _conveyor_svc_start "$name" </dev/null >"$out" 2>&1; then
      # Not fatal yet: it may be half up (a stale pid file, a start already running); the wait decides.
      echo "services: the start command of $name said: $(cat "$out")" >&2
    fi
    rm -f "$out"
    deadline=$((SECONDS + wait))
    until _conveyor_svc_check "$name"; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "services: $name did not answer within ${wait}s after starting it; start command: $(_conveyor_svc_start_hint "$name")" >&2
        return 1
      fi
      sleep 1
    done
    echo "services: $name is up (started)" >&2
  fi

  _conveyor_svc_prepare "$name" || { echo "services: $name is up but not ready for the tests (see above)" >&2; return 1; }
}

# conveyor_ensure_services NAME... : every named service up and ready, or non-zero after naming the failures.
conveyor_ensure_services() {
  local name failed=()
  for name in "$@"; do
    _conveyor_ensure_service "$name" || failed+=("$name")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "error: service(s) not available for the tests: ${failed[*]}" >&2
    return 1
  fi
}
