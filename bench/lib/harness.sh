# shellcheck shell=bash disable=SC2153  # BENCH_DIR, BENCH_RAW, BENCH_WORK: set by the script that sources this file
#
# What bench/run's sections share: the work folder, processes stopped by PID at exit, the raw results file, and
# the Debian packages of the peers.
#
#   bench_say MESSAGE...                 one progress line on stderr
#   bench_die MESSAGE...                 one line on stderr, exit 2 (in a cell: that cell fails, with this line)
#   bench_cell SECTION/CELL SYSTEM COMMAND...
#                                        run COMMAND as one cell, in a subshell: if it fails (bench_die, a failing
#                                        command, a timeout), the raw results get "failed SECTION CELL SYSTEM WHY",
#                                        the processes it started are stopped, and the run goes on
#   bench_failed_cells                   print how many cells failed so far
#   bench_track PID NAME                 stop PID (TERM, then KILL after 10 s) when its cell or bench/run exits
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
BENCH_CELL_WHY="" # the file the running cell's first reason to fail goes to; empty outside cells

bench_say() {
    printf 'bench: [%4d s] %s\n' "$SECONDS" "$*" >&2
}

bench_die() {
    printf 'bench: %s\n' "$*" >&2
    bench_cell_why "$*"
    exit 2
}

# Keeps the first reason the running cell gives for failing (the later ones are its consequences).
bench_cell_why() {
    if [ -n "$BENCH_CELL_WHY" ] && [ ! -s "$BENCH_CELL_WHY" ]; then
        printf '%s' "$*" | tr '\t\n' '  ' | cut -c 1-300 >"$BENCH_CELL_WHY"
    fi
}

bench_track() {
    BENCH_PIDS+=("$1")
    BENCH_PID_NAMES[$1]="$2"
    # Also on file, with the process's start time (so that a reused PID is told apart): a cell killed before it
    # could stop its own leaves them to bench_stop_all.
    printf '%s %s %s\n' "$1" "$(bench_started "$1")" "$2" >>"$BENCH_WORK/tracked.pids"
}

# bench_started PID: the process's start time (clock ticks after boot), or nothing if it is gone.
bench_started() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
    stat="${stat##*) }"
    awk '{print $20}' <<<"$stat"
}

# A cell is a subshell, so that bench_die ends only it. It runs in the background and is waited for: a subshell run
# as the condition of `if` or `||` would run with errexit ignored, and a failing command in it would go unnoticed.
# Its processes are its own: the ones it started and did not stop are stopped when it ends, however it ends.
bench_cell() {
    local name="$1" system="$2" why status=0 cell
    shift 2
    why="$(mktemp "$BENCH_WORK/cell-why.XXXXXX")"
    (
        BENCH_CELL_WHY="$why"
        inherited=${#BENCH_PIDS[@]}
        trap 'bench_stop_since "$inherited"' EXIT
        trap 'exit 143' TERM
        set -eE
        trap 'bench_cell_why "exit status $? from: $BASH_COMMAND"' ERR
        "$@"
    ) &
    cell=$!
    BENCH_CELL_PIDS+=("$cell")
    wait "$cell" || status=$?
    unset 'BENCH_CELL_PIDS[-1]'
    if [ "$status" -ne 0 ]; then
        [ -s "$why" ] || echo "exit status $status" >"$why"
        printf 'failed\t%s\t%s\t%s\t%s\n' "${name%%/*}" "${name#*/}" "$system" "$(cat "$why")" >>"$BENCH_RAW"
        bench_say "FAILED: $name ($system): $(cat "$why")"
    fi
    rm -f "$why"
}
BENCH_CELL_PIDS=()

bench_failed_cells() {
    grep -c '^failed' "$BENCH_RAW" 2>/dev/null || true
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

# Stops every tracked process, newest first (clients before the servers they use), and first a cell still running
# (bench/run interrupted), which stops its own.
bench_stop_all() {
    local i
    local pid started name
    for ((i = ${#BENCH_CELL_PIDS[@]} - 1; i >= 0; i--)); do
        bench_stop "${BENCH_CELL_PIDS[$i]}"
    done
    bench_stop_since 0
    [ -f "$BENCH_WORK/tracked.pids" ] || return 0
    while read -r pid started name; do
        if [ -n "$started" ] && [ "$(bench_started "$pid")" = "$started" ]; then
            BENCH_PID_NAMES[$pid]="$name"
            bench_stop "$pid"
        fi
    done < <(tac "$BENCH_WORK/tracked.pids")
}

# bench_stop_since N: stops the processes tracked after the first N, newest first.
bench_stop_since() {
    local i
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= $1; i--)); do
        bench_stop "${BENCH_PIDS[$i]}"
    done
    BENCH_PIDS=("${BENCH_PIDS[@]:0:$1}")
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
        "$BENCH_ROOT/worker/src/main" "$BENCH_ROOT/client/src/main" "$BENCH_ROOT/coordinator/src/main" -newer "$BENCH_JAR" -print -quit)" ]; then
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
