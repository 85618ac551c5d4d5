# shellcheck shell=bash disable=SC2153  # BENCH_DIR, BENCH_RAW, BENCH_WORK: set by the script that sources this file
#
# What bench/run's sections share: the work folder, processes stopped by PID at exit, the raw results file, and
# the Debian packages of the peers.
#
#   bench_say MESSAGE...                 one progress line on stderr
#   bench_die MESSAGE...                 one line on stderr, exit 2
#   bench_track PID NAME                 stop PID (TERM, then KILL after 10 s) when bench/run exits
#   bench_stop PID                       stop one tracked process now
#   bench_record SECTION CELL SYSTEM ITEMS SECONDS   append one timed run to the raw results
#   bench_note KEY VALUE                 append a fact (sizes, versions, load) to the raw results
#   bench_free_port                      print a free TCP port on 127.0.0.1
#   bench_wait_for SECONDS WHAT COMMAND...   poll COMMAND every 0.2 s until it succeeds, or die
#   bench_ensure_packages PKG...         install the missing ones (as root), or say which are missing and exit 2
#   bench_build_jar                      build the bench module (-Pbench) when its jar is older than its sources;
#                                        sets BENCH_JAR

BENCH_PIDS=()
declare -A BENCH_PID_NAMES=()

bench_say() {
    printf 'bench: [%4d s] %s\n' "$SECONDS" "$*" >&2
}

bench_die() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}

bench_track() {
    BENCH_PIDS+=("$1")
    BENCH_PID_NAMES[$1]="$2"
}

bench_stop() {
    local pid="$1" waited=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        bench_say "${BENCH_PID_NAMES[$pid]:-process} $pid ignored TERM for 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Stops every tracked process, newest first (clients before the servers they use).
bench_stop_all() {
    local i
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        bench_stop "${BENCH_PIDS[$i]}"
    done
    BENCH_PIDS=()
}

bench_record() {
    printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_RAW"
}

bench_note() {
    printf 'note\t%s\t%s\n' "$1" "$2" >>"$BENCH_RAW"
}

# bench_ticks PID...: the CPU time (user + system, in clock ticks) the processes have used so far; gone ones count 0.
bench_ticks() {
    local pid stat total=0
    for pid in "$@"; do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        stat="${stat##*) }" # fields after the command name, which may hold spaces
        total=$((total + $(awk '{print $12 + $13}' <<<"$stat")))
    done
    printf '%d\n' "$total"
}

bench_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_wait_for() {
    local limit="$1" what="$2" deadline
    shift 2
    deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || bench_die "$what did not come up within ${limit} s"
        sleep 0.2
    done
}

bench_ensure_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        bench_die "missing Debian packages: ${missing[*]}; run bench/run as root, or first: sudo apt-get install -y ${missing[*]}"
    fi
    bench_say "installing ${missing[*]}"
    local log="$BENCH_WORK/apt.log"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        bench_die "apt-get could not install ${missing[*]} (log above)"
    fi
}

bench_build_jar() {
    BENCH_JAR="$BENCH_DIR/jmh/target/crew-bench.jar"
    if [ -f "$BENCH_JAR" ] && [ -z "$(find "$BENCH_DIR/jmh/src" "$BENCH_DIR/jmh/pom.xml" "$BENCH_ROOT/common/src/main" \
        "$BENCH_ROOT/worker/src/main" "$BENCH_ROOT/coordinator/src/main" -newer "$BENCH_JAR" -print -quit)" ]; then
        return 0
    fi
    bench_say "building the bench module"
    if ! (cd "$BENCH_ROOT" && "${CREW_MVN:-mvn}" -B -q -Pbench -Dmaven.test.skip=true package -pl bench/jmh -am) \
        </dev/null >"$BENCH_WORK/build.log" 2>&1; then
        tail -n 30 "$BENCH_WORK/build.log" >&2
        bench_die "the bench module did not build"
    fi
    touch "$BENCH_JAR"
}
