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
#                                              timed ones, each recorded with the workers' peak RSS and the
#                                              workers' and the coordinator's CPU time (as system CREW_SYSTEM,
#                                              default crew); a job gets CREW_JOB_TIMEOUT seconds (default 600)
#   crew_prepare_class_cache                   first runs of bin/coordinator and bin/worker; waits for their class caches
#   crew_coordinator [args...]                 bin/coordinator against this cluster
#   crew_recovery_kill KILL ITEM_MS            kill -9 a worker that runs a job's tasks; note how many were put back
#                                              and how soon they run again
#   crew_stored_jobs JOBS RUNS JAR             one worker holding JOBS finished jobs: print "VIEW SECONDS" per run of
#                                              status, jobs, the dashboard's JSON and cluster (the JVM-and-connect floor)

CREW_WORKER_PIDS=()
CREW_WORKER_LOGS=() # each running worker's log file
CREW_CLUSTER="bench-$$-$RANDOM"
CREW_BASE_PORT="$(bench_free_port)" # the first worker takes it; the others the next free ones
CREW_SECRET="$(head -c 32 /dev/urandom | base64)"
export CREW_SECRET

# bin/coordinator and bin/worker record their class caches (JDK 25+: the JVM's ahead-of-time cache) in the
# background after their first run with new jars, for about 20 and 40 s of CPU: waited for here, so that they share
# the cores with no cell.
crew_prepare_class_cache() {
    "$BENCH_ROOT/bin/coordinator" --version >/dev/null
    "$BENCH_ROOT/bin/worker" --version >/dev/null
    bench_wait_for 600 "the class caches of the coordinator and the worker" crew_cache_trained \
        "$(crew_class_cache_dir)"
}

crew_cache_trained() {
    ! compgen -G "$1/*.aot.lock" >/dev/null
}

crew_coordinator() {
    "$BENCH_ROOT/bin/coordinator" --connect "127.0.0.1:$CREW_BASE_PORT" --cluster "$CREW_CLUSTER" "$@"
}

crew_start_workers() {
    local n="$1" i log total
    shift
    for ((i = 0; i < n; i++)); do
        # Named apart (cells run in subshells, so a counter would start again in each): --keep keeps them all.
        log="$(mktemp --suffix=.log "$BENCH_WORK/worker-XXXXXX")"
        "$BENCH_ROOT/bin/worker" --cluster "$CREW_CLUSTER" --bind 127.0.0.1 --port "$CREW_BASE_PORT" \
            --join "127.0.0.1:$CREW_BASE_PORT" "$@" >"$log" 2>&1 &
        CREW_WORKER_PIDS+=($!)
        CREW_WORKER_LOGS+=("$log")
        bench_track $! worker
    done
    total="${#CREW_WORKER_PIDS[@]}"
    for ((i = 0; i < total; i++)); do
        bench_wait_for 120 "worker $i" grep -Eq "joined cluster '$CREW_CLUSTER': $total members|the cluster has $total members" \
            "${CREW_WORKER_LOGS[$i]}"
    done
    # The first worker must own port CREW_BASE_PORT, where the coordinator connects.
    grep -q "127.0.0.1:$CREW_BASE_PORT" "${CREW_WORKER_LOGS[0]}" ||
        bench_die "port $CREW_BASE_PORT was taken by another program; the first worker went elsewhere (see ${CREW_WORKER_LOGS[0]})"
}

crew_stop_workers() {
    local pid
    for pid in "${CREW_WORKER_PIDS[@]}"; do
        bench_stop "$pid"
    done
    CREW_WORKER_PIDS=()
    CREW_WORKER_LOGS=()
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

# crew_job CELL SYSTEM EXPECTED submit-args...: one job, given CREW_JOB_TIMEOUT seconds (default 600); prints
# "ITEMS SECONDS CPU_SECONDS": items and time from the summary line, and the coordinator process's CPU time (user +
# system, its JVM's start included).
crew_job() {
    # SYSTEM ($2) names the row in the caller's record; this function does not need it.
    local cell="$1" expected="$3" err="$BENCH_WORK/coordinator.err" line ok failed rate status=0
    local limit="${CREW_JOB_TIMEOUT:-600}" TIMEFORMAT='%3U %3S'
    shift 3
    { time timeout --kill-after=10 "$limit" "$BENCH_ROOT/bin/coordinator" --connect "127.0.0.1:$CREW_BASE_PORT" \
        --cluster "$CREW_CLUSTER" submit "$@" >"$BENCH_WORK/coordinator.out" 2>"$err"; } \
        2>"$BENCH_WORK/coordinator.cpu" || status=$?
    if [ "$status" = 124 ]; then
        bench_die "crew $cell: the job did not end within $limit s"
    elif [ "$status" != 0 ]; then
        tail -n 5 "$err" >&2
        bench_die "crew $cell: the coordinator exited with $status: $(grep -v '^[[:space:]]' "$err" | tail -n 1)"
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
    awk -v n="$ok" -v r="$rate" -v cpu="$(tail -n 1 "$BENCH_WORK/coordinator.cpu")" \
        'BEGIN { split(cpu, t, " "); printf "%d %.6f %.3f\n", n, n / r, t[1] + t[2] }'
}

crew_submit() {
    local cell="$1" runs="$2" expected="$3" run result sampler peak ticks items seconds cpu
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
        read -r items seconds cpu <<<"$result"
        bench_record "${cell%%/*}" "${cell#*/}" "${CREW_SYSTEM:-crew}" "$items" "$seconds"
        bench_note "rss/${cell}" "$peak"
        # The workers' CPU time for the job (the warm-up excluded): what the job cost, whatever the load.
        bench_note "cpu-seconds/${cell}/${CREW_SYSTEM:-crew}" "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }')"
        # The coordinator's, a new JVM for each job as a user runs it: the report takes a one-item job's off it.
        bench_note "coordinator-cpu-seconds/${cell}/${CREW_SYSTEM:-crew}" "$cpu"
    done
}

# Seconds since midnight of a clock time HH:MM:SS.fraction (the workers' log lines carry local clock times).
crew_clock_seconds() {
    awk -F: '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 }' <<<"$1"
}

# crew_cpu_busy URL: the busy cpu lane slots a worker's /metrics report.
crew_cpu_busy() {
    /usr/bin/python3 -c 'import sys, urllib.request as u
for line in u.urlopen(sys.argv[1], timeout=5).read().decode().splitlines():
    if line.startswith("crew_lane_busy") and "lane=\"cpu\"" in line:
        print(int(float(line.split()[-1])))
        break' "$1"
}

crew_cpu_busy_is() {
    [ "$(crew_cpu_busy "$2")" = "$1" ]
}

# crew_cpu_busy_now URL: crew_cpu_busy in a few milliseconds (curl, not a new Python), for polling; 0 on no answer.
crew_cpu_busy_now() {
    curl -s --max-time 1 "$1" | awk '/^crew_lane_busy/ && /lane="cpu"/ { busy = int($NF) } END { print busy + 0 }'
}

# crew_recovery_kill KILL ITEM_MS: with no other worker running, a victim worker alone takes both tasks of a job (two
# sleep items of ITEM_MS, one a task, cpu lane; its /metrics must show both running), a second, idle worker (the
# survivor) joins, and once the cluster is safe (every partition backed up on the survivor) the victim is killed with
# SIGKILL mid-item. Notes "recovery/kill KILL PUT_BACK TASKS REQUEUE_S RESULT_S RUNNING_S": how many of the victim's
# TASKS tasks the survivor put back; the seconds from the kill to its log line saying so; to the re-run items'
# results (the last one's arrival less ITEM_MS, seen by polling the output every 20 ms: the start of the later re-run
# item, plus the time its result takes to reach the output); and to the survivor running all of them (its /metrics
# polled with curl every 10 ms: when the tasks run again). A kill that puts back fewer tasks, or whose tasks run again
# after more than a second, is a failed check on the page, not a failed cell: the leftovers come back through the
# audit (after up to twice the lease) and the job still ends.
crew_recovery_kill() {
    local kill="$1" item_ms="$2" victim tasks out err coordinator killed_at killed_clock line put_back requeue
    local deadline again port metrics survivor_metrics running
    [ "${#CREW_WORKER_PIDS[@]}" = 0 ] || bench_die "crew_recovery_kill needs a cluster of its own (workers are running)"
    # The victim's /metrics tell how many tasks it runs: the survivor starts once it runs both, and the kill counts them.
    port="$(bench_free_port)"
    metrics="http://127.0.0.1:$port/metrics"
    crew_start_workers 1 --http-port "$port" --http-bind 127.0.0.1
    victim="${CREW_WORKER_PIDS[0]}"
    out="$BENCH_WORK/recovery-$kill.jsonl" err="$BENCH_WORK/recovery-$kill.err"
    timeout --kill-after=10 $((item_ms * 2 / 1000 + 120)) "$BENCH_ROOT/bin/coordinator" \
        --connect "127.0.0.1:$CREW_BASE_PORT" --cluster "$CREW_CLUSTER" \
        submit sleep --range "$item_ms..$((item_ms + 1))" --lane cpu --chunk 1 >"$out" 2>"$err" &
    coordinator=$!
    bench_track "$coordinator" coordinator
    bench_wait_for 60 "the victim running both tasks" crew_cpu_busy_is 2 "$metrics"
    port="$(bench_free_port)"
    survivor_metrics="http://127.0.0.1:$port/metrics"
    crew_start_workers 1 --http-port "$port" --http-bind 127.0.0.1
    # With one backup the cluster survives a loss only once every partition has its backup again (the
    # survivor's copies); a kill before that loses the victim's part of the queue, tasks and leases.
    bench_wait_for 60 "the cluster safe with the survivor" \
        awk '/the cluster has 2 members/ { two = 1 } two && /cluster safe/ { found = 1 } END { exit !found }' \
        "${CREW_WORKER_LOGS[0]}"
    line="$(grep -m 1 -E "^job .*(ok|failed)" "$err" || true)"
    [ -z "$line" ] || bench_die "recovery: the job ended before the kill ($line): make ITEM_MS longer"
    tasks="$(crew_cpu_busy "$metrics")"
    # The survivor must be running, not still starting: its member joins (and takes its backups) before its lanes
    # and its /metrics start, and a kill before then timed the rest of its start as recovery (up to 0.8 s more).
    bench_wait_for 60 "the survivor started" grep -q "joined cluster '$CREW_CLUSTER'" "${CREW_WORKER_LOGS[1]}"
    bench_wait_for 60 "the survivor's /metrics" curl -sf --max-time 1 -o /dev/null "$survivor_metrics"
    # That first /metrics answer loaded its HTTP and Prometheus classes: not during the recovery timed.
    [ "$(crew_cpu_busy "$survivor_metrics")" = 0 ] || bench_die "recovery: the survivor ran tasks before the kill"
    kill -KILL "$victim"
    killed_at="$(date +%s.%N)" killed_clock="$(date +%H:%M:%S.%N)"
    # Running again: the survivor's busy cpu slots reach the victim's task count.
    deadline=$((SECONDS + 60))
    while [ "$(crew_cpu_busy_now "$survivor_metrics")" -lt "$tasks" ] && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.01
    done
    running="$(awk -v d="$(date +%s.%N)" -v k="$killed_at" 'BEGIN { printf "%.3f", d - k }')"
    wait "$victim" 2>/dev/null || true
    # The re-run items end ITEM_MS after they start; the results' arrival is watched closely from a second before.
    sleep "$(awk -v ms="$item_ms" -v k="$killed_at" -v now="$(date +%s.%N)" \
        'BEGIN { s = k + ms / 1000 - 1 - now; printf "%.3f", (s > 0 ? s : 0) }')"
    deadline=$((SECONDS + item_ms * 2 / 1000 + 60))
    while [ "$(grep -c '"result":' "$out")" -lt "$tasks" ] && kill -0 "$coordinator" 2>/dev/null &&
        [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.02
    done
    again="$(date +%s.%N)"
    wait "$coordinator" || bench_die "recovery: the coordinator failed: $(grep -v '^[[:space:]]' "$err" | tail -n 1)"
    [ "$(grep -c '"result":' "$out")" = "$tasks" ] || bench_die "recovery: expected $tasks results: $(head -c 200 "$out")"
    line="$(grep -m 1 "put [0-9]* of its tasks back" "${CREW_WORKER_LOGS[1]}" || true)"
    put_back="$(sed -n 's/.*: put \([0-9]*\) of its tasks back.*/\1/p' <<<"$line")"
    requeue=-
    if [ -n "$line" ]; then
        requeue="$(awk -v l="$(crew_clock_seconds "${line%% *}")" -v k="$(crew_clock_seconds "$killed_clock")" \
            'BEGIN { d = l - k; if (d < -43200) d += 86400; printf "%.3f", d }')"
    fi
    bench_note recovery/kill "$kill ${put_back:-0} $tasks $requeue $(awk -v d="$again" -v k="$killed_at" \
        -v ms="$item_ms" 'BEGIN { printf "%.3f", d - k - ms / 1000 }') $running"
    crew_stop_workers
}

# One worker (with its dashboard) holding JOBS finished jobs and their archived results (dev.crew.bench.StoredJobs in
# JAR): prints one line "VIEW SECONDS" per run of `coordinator status`, `coordinator jobs`, the dashboard's
# /api/cluster and `coordinator cluster`, which reads no job list: what starting a JVM and connecting cost. Stops the
# worker at the end.
crew_stored_jobs() {
    local jobs="$1" runs="$2" jar="$3" http_port run view start end
    [ "${#CREW_WORKER_PIDS[@]}" = 0 ] || bench_die "crew_stored_jobs needs a cluster of its own (workers are running)"
    http_port="$(bench_free_port)"
    crew_start_workers 1 --http-port "$http_port" --http-bind 127.0.0.1
    mkdir -p "$BENCH_WORK/no-plugins"
    (CREW_PLUGINS="$BENCH_WORK/no-plugins" crew_exec_java "$jar" dev.crew.bench.StoredJobs "-XX:+UseG1GC" \
        "127.0.0.1:$CREW_BASE_PORT" "$CREW_CLUSTER" "$jobs") >&2
    for view in status jobs dashboard cluster; do
        for ((run = 1; run <= runs; run++)); do
            start="$(date +%s.%N)"
            case "$view" in
                dashboard) curl -fsS "http://127.0.0.1:$http_port/api/cluster" >"$BENCH_WORK/view.out" ;;
                *) crew_coordinator "$view" >"$BENCH_WORK/view.out" 2>"$BENCH_WORK/view.err" ;;
            esac || bench_die "$view failed with $jobs stored jobs: $(tail -n 1 "$BENCH_WORK/view.err" 2>/dev/null)"
            end="$(date +%s.%N)"
            awk -v v="$view" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.3f\n", v, e - s }'
        done
    done
    crew_stop_workers
}
