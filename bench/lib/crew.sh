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
#   crew_recovery RUNS ITEM_MS                 kill -9 a worker that runs a job's tasks; note how soon they run again

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
    bench_ticks "${CREW_WORKER_PIDS[@]}"
}

# crew_job CELL SYSTEM EXPECTED submit-args...: one job; prints "ITEMS SECONDS" from the summary line.
crew_job() {
    # SYSTEM ($2) names the row in the caller's record; this function does not need it.
    local cell="$1" expected="$3" err="$BENCH_WORK/coordinator.err" line ok failed rate
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
    if [ "$failed" -ne 0 ] || [ "$ok" -ne "$expected" ]; then
        bench_die "crew $cell: $ok ok and $failed failed of $expected items"
    fi
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

# Seconds since midnight of a clock time HH:MM:SS.fraction (the workers' log lines carry local clock times).
crew_clock_seconds() {
    awk -F: '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 }' <<<"$1"
}

# crew_recovery RUNS ITEM_MS: RUNS times, with no other worker running: a victim worker alone takes both tasks of a
# job (two sleep items of ITEM_MS, one a task, cpu lane), a second, idle worker joins, and once the cluster is safe
# (every partition backed up on the survivor) the victim is killed with SIGKILL mid-item. Notes, per run, the
# seconds from the kill to the survivor's line saying it put the victim's tasks back (recovery/requeue), and to the
# re-run items starting (recovery/rerun: the job's end, less ITEM_MS; an upper bound, as it includes delivering the
# results). The survivor has idle slots, so a task put back runs at once.
crew_recovery() {
    local runs="$1" item_ms="$2" run victim out err coordinator killed_at killed_clock line put_back done_at
    [ "${#CREW_WORKER_PIDS[@]}" = 0 ] || bench_die "crew_recovery needs a cluster of its own (workers are running)"
    for ((run = 0; run < runs; run++)); do
        crew_start_workers 1
        victim="${CREW_WORKER_PIDS[0]}"
        out="$BENCH_WORK/recovery-$run.jsonl" err="$BENCH_WORK/recovery-$run.err"
        crew_coordinator submit sleep --range "$item_ms..$((item_ms + 1))" --lane cpu --chunk 1 >"$out" 2>"$err" &
        coordinator=$!
        bench_track "$coordinator" coordinator
        # The victim is alone while the survivor starts (seconds; the items run far longer): it takes both tasks.
        crew_start_workers 1
        # With one backup the cluster survives a loss only once every partition has its backup again (the
        # survivor's copies); a kill before that loses the victim's part of the queue, tasks and leases.
        bench_wait_for 60 "the cluster safe with the survivor" \
            awk '/the cluster has 2 members/ { two = 1 } two && /cluster safe/ { found = 1 } END { exit !found }' \
            "$BENCH_WORK/worker-0.log"
        line="$(grep -m 1 -E "^job .*(ok|failed)" "$err" || true)"
        [ -z "$line" ] || bench_die "recovery: the job ended before the kill ($line): make ITEM_MS longer"
        kill -KILL "$victim"
        killed_at="$(date +%s.%N)" killed_clock="$(date +%H:%M:%S.%N)"
        wait "$victim" 2>/dev/null || true
        bench_wait_for 60 "the survivor putting the victim's tasks back" \
            grep -q "put [0-9]* of its tasks back" "$BENCH_WORK/worker-1.log"
        line="$(grep -m 1 "put [0-9]* of its tasks back" "$BENCH_WORK/worker-1.log")"
        put_back="$(sed -n 's/.*: put \([0-9]*\) of its tasks back.*/\1/p' <<<"$line")"
        [ "$put_back" = 2 ] || bench_die "recovery: the survivor put back '$put_back' tasks, not the victim's 2: $line"
        wait "$coordinator" || bench_die "recovery: the coordinator failed: $(tail -n 3 "$err")"
        done_at="$(date +%s.%N)"
        [ "$(grep -c '"result":' "$out")" = 2 ] || bench_die "recovery: expected 2 results: $(cat "$out")"
        bench_note recovery/requeue "$(awk -v l="$(crew_clock_seconds "${line%% *}")" \
            -v k="$(crew_clock_seconds "$killed_clock")" 'BEGIN { d = l - k; if (d < -43200) d += 86400; printf "%.3f", d }')"
        bench_note recovery/rerun "$(awk -v d="$done_at" -v k="$killed_at" -v ms="$item_ms" \
            'BEGIN { printf "%.3f", d - k - ms / 1000 }')"
        CREW_WORKER_PIDS=("${CREW_WORKER_PIDS[1]}")
        crew_stop_workers
    done
}
