# shellcheck shell=bash
#
# Needs harness.sh. Crew as a user runs it: bin/worker processes on loopback (a cluster of their own, signed jobs) and
# bin/coordinator submit. Times come from the coordinator's summary line (submit to the last result; JVM start and
# connecting are not in it). The RSS of every worker is sampled from /proc while a job runs.
#
#   crew_start_workers N [worker options...]   start N more workers and wait until the cluster has them all
#   crew_stop_workers                          stop every worker (SIGTERM, drain) by PID
#   crew_submit CELL RUNS EXPECTED_ITEMS submit-args...
#                                              one untimed warm-up job (unless CREW_WARMUP=0), then RUNS
#                                              timed ones, each recorded with the workers' peak RSS (as
#                                              system CREW_SYSTEM, default crew)
#   crew_coordinator [args...]                 bin/coordinator against this cluster

CREW_WORKER_PIDS=()
CREW_CLUSTER="bench-$$-$RANDOM"
CREW_BASE_PORT="$(bench_free_port)" # the first worker takes it; the others the next free ones
CREW_SECRET="$(head -c 32 /dev/urandom | base64)"
export CREW_SECRET

crew_coordinator() {
    "$BENCH_ROOT/bin/coordinator" --connect "127.0.0.1:$CREW_BASE_PORT" --cluster "$CREW_CLUSTER" "$@"
}

crew_start_workers() {
    local n="$1" i log total
    shift
    for ((i = 0; i < n; i++)); do
        log="$BENCH_WORK/worker-${#CREW_WORKER_PIDS[@]}.log"
        "$BENCH_ROOT/bin/worker" --cluster "$CREW_CLUSTER" --bind 127.0.0.1 --port "$CREW_BASE_PORT" \
            --join "127.0.0.1:$CREW_BASE_PORT" "$@" >"$log" 2>&1 &
        CREW_WORKER_PIDS+=($!)
        bench_track $! worker
    done
    total="${#CREW_WORKER_PIDS[@]}"
    for ((i = 0; i < total; i++)); do
        bench_wait_for 120 "worker $i" grep -Eq "joined cluster '$CREW_CLUSTER': $total members|the cluster has $total members" \
            "$BENCH_WORK/worker-$i.log"
    done
    # The first worker must own port CREW_BASE_PORT, where the coordinator connects.
    grep -q "127.0.0.1:$CREW_BASE_PORT" "$BENCH_WORK/worker-0.log" ||
        bench_die "port $CREW_BASE_PORT was taken by another program; the first worker went elsewhere (see $BENCH_WORK/worker-0.log)"
}

crew_stop_workers() {
    local pid
    for pid in "${CREW_WORKER_PIDS[@]}"; do
        bench_stop "$pid"
    done
    CREW_WORKER_PIDS=()
}

# Prints the sum of the workers' resident set sizes, in MiB.
crew_workers_rss() {
    local pid kb total=0
    for pid in "${CREW_WORKER_PIDS[@]}"; do
        kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
        total=$((total + ${kb:-0}))
    done
    printf '%d\n' $((total / 1024))
}

# Appends the largest worker RSS (per worker, in MiB) to FILE every 0.1 s until stopped.
crew_rss_sampler() {
    local file="$1" pid kb peak=0
    while :; do
        for pid in "${CREW_WORKER_PIDS[@]}"; do
            kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
            [ "${kb:-0}" -gt "$peak" ] && peak="$kb"
        done
        printf '%d\n' $((peak / 1024)) >>"$file"
        sleep 0.1
    done
}

# Prints the CPU time (user + system, in clock ticks) the workers have used so far.
crew_workers_ticks() {
    local pid total=0 stat
    for pid in "${CREW_WORKER_PIDS[@]}"; do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        stat="${stat##*) }" # fields after the command name, which may hold spaces
        total=$((total + $(awk '{print $12 + $13}' <<<"$stat")))
    done
    printf '%d\n' "$total"
}

# crew_job CELL SYSTEM EXPECTED submit-args...: one job; prints "ITEMS SECONDS" from the summary line.
crew_job() {
    local cell="$1" system="$2" expected="$3" err="$BENCH_WORK/coordinator.err" line ok failed rate
    shift 3
    if ! crew_coordinator submit "$@" >"$BENCH_WORK/coordinator.out" 2>"$err"; then
        tail -n 5 "$err" >&2
        bench_die "crew $cell: the coordinator failed (exit above)"
    fi
    line="$(grep -E '^job .*: [0-9]+ ok, [0-9]+ failed in' "$err" | tail -n 1)"
    [[ $line =~ :\ ([0-9]+)\ ok,\ ([0-9]+)\ failed\ in\ [0-9.]+\ s\ \(([0-9.,]+)\ items/s\) ]] ||
        bench_die "crew $cell: no summary line from the coordinator: $(tail -n 1 "$err")"
    ok="${BASH_REMATCH[1]}"
    failed="${BASH_REMATCH[2]}"
    rate="${BASH_REMATCH[3]//,/}"
    [ "$failed" -eq 0 ] && [ "$ok" -eq "$expected" ] ||
        bench_die "crew $cell: $ok ok and $failed failed of $expected items"
    # items / rate: the summary's rate has more digits than its seconds.
    awk -v n="$ok" -v r="$rate" 'BEGIN { printf "%d %.6f\n", n, n / r }'
}

crew_submit() {
    local cell="$1" runs="$2" expected="$3" run result sampler peak ticks
    shift 3
    if [ "${CREW_WARMUP:-1}" = 1 ]; then
        crew_job "$cell" crew "$expected" "$@" >/dev/null # warm-up, not recorded
    fi
    for ((run = 0; run < runs; run++)); do
        echo 0 >"$BENCH_WORK/rss.peak"
        crew_rss_sampler "$BENCH_WORK/rss.peak" &
        sampler=$!
        ticks="$(crew_workers_ticks)"
        result="$(crew_job "$cell" crew "$expected" "$@")"
        ticks=$(($(crew_workers_ticks) - ticks))
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        peak="$(sort -n "$BENCH_WORK/rss.peak" | tail -n 1)"
        bench_record "${cell%%/*}" "${cell#*/}" "${CREW_SYSTEM:-crew}" "${result% *}" "${result#* }"
        bench_note "rss/${cell}" "$peak"
        # The workers' CPU time for the job (the warm-up excluded): what the job cost, whatever the load.
        bench_note "cpu-seconds/${cell}/${CREW_SYSTEM:-crew}" "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }')"
    done
}
