"""Turns bench/run's raw runs (TSV) into the results page (Markdown) and its chart (PNG, drawn by gnuplot).

usage: report.py RAW.tsv OUT.md OUT.png

Every cell is compared by throughput, items/s (tasks/s where a task holds one item): the median of its timed runs,
with the slowest and fastest run beside it. A ratio is Crew's median over the peer's median; above 1, Crew is faster.
A cell that failed (a "failed" line in the raw runs) is shown as "failed: <why>" wherever its figures would be.
"""
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

TARGETS_DOC = "../shared/DESIGN.md"


def load(path):
    runs = defaultdict(list)  # (section, cell, system) -> [(items, seconds)]
    notes = defaultdict(list)
    failed = {}  # (section, cell, system) -> why
    with open(path) as raw:
        for line in raw:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "run":
                _, section, cell, system, items, seconds = fields
                runs[(section, cell, system)].append((int(items), float(seconds)))
            elif fields[0] == "note":
                notes[fields[1]].append(fields[2])
            elif fields[0] == "failed":
                _, section, cell, system, why = fields
                failed[(section, cell, system)] = why
    return runs, notes, failed


class Kill:
    """One kill of the recovery cell: how many of the victim's tasks were put back, and how soon they ran again."""

    LIMIT_S = 1.0  # ../shared/DESIGN.md: running again elsewhere within 1 s

    def __init__(self, value):
        # Runs before 2026-11-30 noted only the re-run results' arrival less the item time (RESULT_S); later ones
        # also when the survivor's /metrics showed every task running again (RUNNING_S), which is what the target
        # names: that one counts when present.
        number, put_back, tasks, requeue, result, *running = value.split()
        self.number, self.put_back, self.tasks = int(number), int(put_back), int(tasks)
        self.requeue = None if requeue == "-" else float(requeue)
        self.result = float(result)
        self.running = float(running[0]) if running else None
        self.rerun = self.running if self.running is not None else self.result

    def problems(self):
        found = []
        if self.put_back < self.tasks:
            found.append(f"put back {self.put_back} of {self.tasks}")
        if self.rerun > self.LIMIT_S:
            found.append(f"running again after {self.rerun:.2f} s")
        return found


class Cell:
    def __init__(self, samples):
        self.items = samples[0][0]
        self.rates = sorted(items / seconds for items, seconds in samples)
        self.seconds = sorted(seconds for _, seconds in samples)
        self.median = statistics.median(self.rates)
        self.n = len(samples)


def fmt_rate(value):
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(value):
    return f"{value:,.0f}x" if value >= 100 else f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def spread(cell):
    return f"{fmt_rate(cell.rates[0])} – {fmt_rate(cell.rates[-1])}"


def note(notes, key, default="n/a"):
    return notes[key][-1] if notes.get(key) else default


def peak(notes, key):
    values = [int(v) for v in notes.get(key, []) if v.isdigit()]
    return max(values) if values else None


LABELS = {
    "crew": "Crew (bin/worker + bin/coordinator submit)",
    "crew-chunk-100": "Crew, --chunk 100 instead of auto",
    "crew-unsealed": "Crew without a cluster secret (nothing sealed or signed)",
    "java-serial": "same Java code, one thread, no cluster",
    "java-threads": "same Java code, one plain thread per core, one process, no cluster",
    "python-serial": "Python, serial",
    "python-pool": "Python, multiprocessing.Pool.map",
    "python-pool-chunk1": "Python, multiprocessing.Pool.map(chunksize=1)",
    "python-ppe": "Python, ProcessPoolExecutor.map",
    "python-threads-5": "Python, ThreadPoolExecutor(5) + requests",
    "python-threads-100": "Python, ThreadPoolExecutor(100) + requests",
    "python-asyncio": "Python, asyncio + aiohttp (1,000 connections)",
    "celery": "Celery 5 on Redis, one task per message",
    "celery-chunks": "Celery 5 on Redis, chunks of 1,000 items",
    "dask": "Dask distributed, LocalCluster, client.map",
}

SECTIONS = [
    ("cpu", "fib", "CPU: fib({FIB_N})", "items/s"),
    ("cpu", "sum-squares", "CPU: sum-squares({SUMSQ_N})", "items/s"),
    ("io", "http-get", "I/O: HTTP GETs, server answers after 50 ms", "requests/s"),
    ("overhead", "noop-1-per-task", "Overhead: no-op, one item per task", "tasks/s"),
    ("overhead", "noop-auto", "Overhead: no-op, chunked (Crew: --chunk auto)", "items/s"),
]


def main():
    raw, out_md, out_png = sys.argv[1:4]
    runs, notes, failed = load(raw)
    cells = {key: Cell(samples) for key, samples in runs.items()}
    sizes = {k[len("size/"):]: v[-1] for k, v in notes.items() if k.startswith("size/")}
    cores = int(note(notes, "cores", "1"))

    def get(section, cell, system):
        return cells.get((section, cell, system))

    def ratio(section, cell, peer):
        crew, other = get(section, cell, "crew"), get(section, cell, peer)
        return crew.median / other.median if crew and other else None

    def failure(section, cell, *systems):
        """Why the cell failed, or the cell around it (Crew's one-worker cells, the scaling cells); or None."""
        around = ("scaling", "workers") if section == "scaling" else ("crew", "one-worker")
        for system in systems or ("crew",):
            for key in ((section, cell, system), (*around, system)):
                if key in failed:
                    return failed[key]
        return None

    def measured_or_failed(text, section, cell, *systems):
        why = failure(section, cell, *systems) if text == "n/a" else None
        return f"failed: {why}" if why else text

    def median_note(key):
        values = [float(v) for v in notes.get(key, [])]
        return statistics.median(values) if values else None

    def cpu_micros_per_item(cell, system="crew"):
        """The workers' and the coordinator's CPU per item of an overhead cell, in µs. The coordinator is a new JVM
        per job: a one-item job's CPU (its start, connecting, JIT) is taken off, so what is left is the job's own."""
        c = get("overhead", cell, system)
        if not c:
            return None, None
        workers = median_note(f"cpu-seconds/overhead/{cell}/{system}")
        coordinator = median_note(f"coordinator-cpu-seconds/overhead/{cell}/{system}")
        one = median_note(f"coordinator-cpu-seconds/overhead/first-result/{system}")
        w = workers / c.items * 1e6 if workers is not None else None
        k = max(coordinator - one, 0) / c.items * 1e6 if coordinator is not None and one is not None else None
        return w, k

    def cpu_per_item(cell, system):
        """Median CPU seconds per item: the serial thread's, or the workers' over a Crew job."""
        values = [float(v) for v in notes.get(f"cpu-seconds/cpu/{cell}/{system}", [])]
        c = get("cpu", cell, system)
        return statistics.median(values) / c.items if values and c else None

    def cpu_efficiency(cell):
        crew, serial = cpu_per_item(cell, "crew"), cpu_per_item(cell, "java-serial")
        return serial / crew if crew and serial else None

    def efficiency(cell):
        crew, serial = get("cpu", cell, "crew"), get("cpu", cell, "java-serial")
        return crew.median / (serial.median * cores) if crew and serial else None

    def machine_speedup(cell):
        """What this machine's cores give: one plain thread per core over one thread, the same code."""
        threads, serial = get("cpu", cell, "java-threads"), get("cpu", cell, "java-serial")
        return threads.median / serial.median if threads and serial else None

    def millis(system):
        cell = get("overhead", "first-result", system)
        return [seconds * 1000 for seconds in cell.seconds] if cell else None

    latency_ms = millis("crew")
    warm_ms = millis("crew-warm-coordinator")
    lines = []
    w = lines.append
    w(f"# Crew benchmarks, {note(notes, 'date')} ({note(notes, 'mode')} run)")
    w("")
    w(
        f"One machine, one run, side by side: {cores} cores ({note(notes, 'cpu')}), {note(notes, 'memory')}; "
        f"{note(notes, 'java')}; {note(notes, 'python')}; {note(notes, 'versions')}. Crew at commit "
        f"{note(notes, 'commit')}. Load average at start {note(notes, 'load_start')}, at end {note(notes, 'load_end')}"
        f" (1, 5, 15 min); the run took {note(notes, 'elapsed_s')} s."
    )
    w("")
    # The load at the start says whether other programs were busy; the load at the end is mostly the run's own (its
    # last cell starts four worker JVMs).
    loads = [float(v.split()[0]) for v in notes.get("load_start", [])]
    if loads and max(loads) > cores:
        w(
            f"**The machine was loaded when this started** (1-minute load average {max(loads):.0f} on {cores} "
            "cores, from other builds and tests): absolute numbers are low and noisy, and the CPU efficiency, which "
            "compares runs made at different moments, is not reliable. Ratios of cells run close together hold "
            "better; the spread columns show how much each cell moved."
        )
        w("")
    else:
        w(
            f"The machine was not busy when this started (load average below its {cores} cores); the load average at "
            "the end is the run's own (its last cell runs four worker JVMs)."
        )
        w("")
    w(
        f"Each cell: the median of {note(notes, 'runs')} timed runs, and the slowest – fastest run. Warm-up is "
        "excluded everywhere: Crew runs each job once untimed on the already started workers before its timed runs; "
        "Python pools, the Celery worker and the Dask cluster are started and given a small warm-up map first; the "
        "Java single-thread baseline makes one untimed pass. Crew's time is the coordinator's own (submit to last "
        "result, JVM start and connecting excluded); peers time the map call. Ratios are Crew's median throughput "
        "over the peer's: above 1, Crew is faster."
    )
    w("")

    if failed:
        w(f"## Failed cells ({len(failed)})")
        w("")
        w("Each was stopped with the processes it started, and the run went on; its figures are missing below.")
        w("")
        w("| cell | system | failed: why |")
        w("|---|---|---|")
        for (section, cell, system), why in failed.items():
            w(f"| {section}/{cell} | {system} | failed: {why.replace('|', '/')} |")
        w("")

    # Headline against the targets.
    w(f"## Headline against the targets ({TARGETS_DOC})")
    w("")
    w("| what | measured | target | met |")
    w("|---|---|---|---|")

    def row(what, measured, target, met):
        w(f"| {what} | {measured} | {target} | {'yes' if met else 'no' if met is not None else 'n/a'} |")

    eff = efficiency("fib")
    row("CPU efficiency, fib (vs one thread x cores)", f"{eff:.0%}" if eff else "n/a", ">= 95%",
        eff >= 0.95 if eff else None)
    for cell in ("fib", "sum-squares"):
        e = cpu_efficiency(cell)
        row(f"CPU time per item, {cell}: one thread's / the workers' during a Crew job", f"{e:.0%}" if e else "n/a",
            "(load-independent view of the above)", None)
    eff2 = efficiency("sum-squares")
    row("CPU efficiency, sum-squares", f"{eff2:.0%}" if eff2 else "n/a", "(none; >= 95% as fib)",
        eff2 >= 0.95 if eff2 else None)
    for cell in ("fib", "sum-squares"):
        speedup = machine_speedup(cell)
        if speedup:
            row(f"this machine: {cell} on {cores} plain threads / on one (what its {cores} cores give)",
                f"{speedup:.2f}x", f"({cores}x for whole cores)", None)
        r = ratio("cpu", cell, "java-threads")
        if r:
            row(f"Crew / the same Java code on {cores} plain threads, {cell} (efficiency against what the machine gives)",
                f"{r:.0%}", "(>= 95%)", r >= 0.95)
    noop1 = get("overhead", "noop-1-per-task", "crew")
    row("no-op tasks/s, one item per task", measured_or_failed(fmt_rate(noop1.median) if noop1 else "n/a",
        "overhead", "noop-1-per-task"), ">= 20,000", noop1.median >= 20_000 if noop1 else None)
    r = ratio("overhead", "noop-1-per-task", "python-pool-chunk1")
    row(f"one-item tasks, Crew / {LABELS['python-pool-chunk1']}, same items",
        measured_or_failed(fmt_ratio(r) if r else "n/a", "overhead", "noop-1-per-task", "crew", "cpu.py noop 0 "
                           f"{sizes.get('NOOP1_COUNT')} {note(notes, 'runs')} pool1"), ">= 0.8x", r >= 0.8 if r else None)
    worker_us, coordinator_us = cpu_micros_per_item("noop-1-per-task")
    row("workers' CPU per one-item no-op task", f"{worker_us:,.0f} µs" if worker_us is not None else "n/a",
        "<= 60 µs", worker_us <= 60 if worker_us is not None else None)
    row("coordinator's CPU per one-item no-op task (less a one-item job's)",
        f"{coordinator_us:,.0f} µs" if coordinator_us is not None else "n/a", "(measured)", None)
    auto = get("overhead", "noop-auto", "crew")
    row("no-op items/s, auto chunking", measured_or_failed(fmt_rate(auto.median) if auto else "n/a", "overhead",
        "noop-auto"), ">= 5,000,000", auto.median >= 5_000_000 if auto else None)
    for peer, target in (("python-asyncio", 5), ("python-threads-5", 20)):
        r = ratio("io", "http-get", peer)
        row(f"HTTP GETs, Crew / {LABELS[peer]}", fmt_ratio(r) if r else "n/a", f">= {target}x",
            r >= target if r else None)
    for peer in ("celery", "dask"):
        r = ratio("overhead", "noop-1-per-task", peer)
        row(f"one-item tasks, Crew / {LABELS[peer]}", fmt_ratio(r) if r else "n/a", ">= 10x", r >= 10 if r else None)
    one_worker = get("scaling", "noop-1-per-task-1w", "crew")
    for workers in (2, 4):
        more = get("scaling", f"noop-1-per-task-{workers}w", "crew")
        r = more.median / one_worker.median if more and one_worker else None
        row(f"one-item tasks, {workers} worker JVMs on this machine / 1",
            measured_or_failed(f"{r:.2f}x" if r else "n/a", "scaling", f"noop-1-per-task-{workers}w"), ">= 1x",
            r >= 1 if r else None)
    idle = peak(notes, "rss/idle")
    row("worker RSS, idle after start", f"{idle} MiB" if idle is not None else "n/a", "<= 200 MB",
        idle <= 200 * 1e6 / 2**20 if idle is not None else None)
    idle_after = peak(notes, "rss/idle-after")
    row("worker RSS, idle for 25 s after the single-worker workloads",
        f"{idle_after} MiB" if idle_after is not None else "n/a", "<= 200 MB",
        idle_after <= 200 * 1e6 / 2**20 if idle_after is not None else None)
    big = peak(notes, "rss/memory/noop-big")
    before = max((peak(notes, k) or 0) for k in notes if k.startswith("rss/overhead/"))
    row(f"worker RSS through {int(sizes.get('BIG_COUNT', 0)):,} items: peak during the job (highest before it)",
        f"{big} MiB ({before} MiB)" if big else "n/a", "flat", big <= before * 1.1 if big and before else None)
    if latency_ms:
        med = statistics.median(latency_ms)
        row("first result after submit, warm cluster, bin/coordinator submit (a new JVM per job)",
            f"{med:.1f} ms", "<= 20 ms", med <= 20)
    if warm_ms:
        med = statistics.median(warm_ms)
        row("first result after submit, warm cluster and a coordinator JVM that stays up", f"{med:.1f} ms",
            "<= 20 ms", med <= 20)
    status, floor = get("views", "status", "crew"), get("views", "cluster", "crew")
    if status:
        stored = int(sizes.get("STORED_JOBS", 0))
        row(f"`coordinator status` with {stored:,} stored jobs (a new JVM; `cluster`, which reads no job list: "
            + (f"{statistics.median(floor.seconds):.2f} s)" if floor else "n/a)"),
            f"{statistics.median(status.seconds):.2f} s", "< 1 s", statistics.median(status.seconds) < 1)
    kills = [Kill(v) for v in notes.get("recovery/kill", [])]
    failed_kills = {cell: why for (section, cell, _), why in failed.items() if section == "recovery"}
    if kills or failed_kills:
        bad = [k for k in kills if k.problems()] + list(failed_kills)
        slowest = max((k.rerun for k in kills), default=None)
        row(
            f"recovery: every kill puts all of the victim's tasks back, running again within {Kill.LIMIT_S:.0f} s",
            f"{len(kills) - len([k for k in kills if k.problems()])} of {len(kills) + len(failed_kills)} kills"
            + (f"; slowest {slowest:.2f} s" if slowest is not None else ""),
            f"all, <= {Kill.LIMIT_S:.0f} s", not bad)
    else:
        row("recovery of a killed worker's tasks", "n/a", f"all, <= {Kill.LIMIT_S:.0f} s", None)
    w("")

    # One table per workload.
    for section, cell, title, unit in SECTIONS:
        present = sorted(
            (system for (s, c, system) in cells if s == section and c == cell),
            key=lambda system: (system != "crew", system),
        )
        failed_here = [(system, why) for (s, c, system), why in failed.items() if s == section and c == cell]
        if not present and not failed_here:
            continue
        w(f"## {title.format(**sizes)}")
        w("")
        w(f"| system | items per run | median {unit} | slowest – fastest | Crew / this |")
        w("|---|---|---|---|---|")
        crew = get(section, cell, "crew")
        for system in present:
            c = get(section, cell, system)
            r = crew.median / c.median if crew else None
            w(
                f"| {LABELS.get(system, system)} | {c.items:,} | {fmt_rate(c.median)} | {spread(c)} | "
                f"{'—' if system == 'crew' else fmt_ratio(r) if r else 'n/a'} |"
            )
        for system, why in failed_here:
            w(f"| {LABELS.get(system, system)} | failed: {why.replace('|', '/')} | | | |")
        rss = peak(notes, f"rss/{section}/{cell}")
        extra = []
        if section == "cpu":
            e = efficiency(cell)
            if e:
                extra.append(f"Crew's efficiency: {e:.0%} of one thread's speed times {cores} cores")
            speedup = machine_speedup(cell)
            if speedup:
                extra.append(f"{cores} plain threads ran {speedup:.2f}x as fast as one on this machine")
            crew_cpu, serial_cpu = cpu_per_item(cell, "crew"), cpu_per_item(cell, "java-serial")
            if crew_cpu and serial_cpu:
                extra.append(
                    f"CPU time per item: {serial_cpu * 1000:.2f} ms on one thread, {crew_cpu * 1000:.2f} ms of the "
                    f"workers' CPU in a Crew job ({serial_cpu / crew_cpu:.0%})"
                )
        if section == "overhead":
            worker_us, coordinator_us = cpu_micros_per_item(cell)
            per = "task" if cell == "noop-1-per-task" else "item"
            if worker_us is not None:
                extra.append(f"the workers' CPU per {per}: {fmt_rate(worker_us)} µs")
            if coordinator_us is not None:
                extra.append(f"the coordinator's: {fmt_rate(coordinator_us)} µs (less a one-item job's)")
        if rss is not None:
            extra.append(f"worker peak RSS during Crew's runs: {rss} MiB")
        if extra:
            w("")
            w("; ".join(extra) + ".")
        w("")

    sealing = []
    for cell, unit in (("noop-1-per-task", "tasks/s"), ("noop-auto", "items/s"), ("first-result", "s")):
        sealed, unsealed = get("overhead", cell, "crew"), get("overhead", cell, "crew-unsealed")
        if not sealed or not unsealed:
            continue
        if cell == "first-result":
            values = (f"{statistics.median(sealed.seconds) * 1000:.0f} ms",
                      f"{statistics.median(unsealed.seconds) * 1000:.0f} ms",
                      f"{statistics.median(sealed.seconds) / statistics.median(unsealed.seconds):.2f}x the time")
        else:
            values = (f"{fmt_rate(sealed.median)} {unit}", f"{fmt_rate(unsealed.median)} {unit}",
                      f"{sealed.median / unsealed.median:.2f}x the speed")
        with_us, _ = cpu_micros_per_item(cell, "crew")
        without_us, _ = cpu_micros_per_item(cell, "crew-unsealed")
        cpu = (f"{fmt_rate(with_us)} / {fmt_rate(without_us)} µs"
               if with_us is not None and without_us is not None and cell != "first-result" else "")
        sealing.append((cell, *values, cpu))
    if sealing:
        w("## What sealing costs")
        w("")
        w(
            "The overhead cells with the cluster secret (every cell above: jobs signed, items, parameters and results "
            "sealed with AES-256-GCM) and again on a worker and coordinators without one (nothing signed or sealed)."
        )
        w("")
        w("| cell | with the secret | without | with / without | workers' CPU per item, with / without |")
        w("|---|---|---|---|---|")
        for row_values in sealing:
            w("| " + " | ".join(row_values) + " |")
        w("")

    if latency_ms or warm_ms:
        cold = note(notes, "first-result-cold-coordinator", "")
        cold_ms = f"{float(cold) * 1000:.0f}" if cold else "n/a"
        w("## First result after submit (warm cluster)")
        w("")
        w(
            "One-item no-op jobs on the warm workers, timed from submitting the job to its first result. "
            "`bin/coordinator submit` starts a new JVM for every job, so each job meets a cold client (classes "
            "loading, code interpreted); its time is the whole job's (an upper bound on its first result). The warm "
            "coordinator runs the same job code (`JobRun`) for one job after another in one JVM, and times the "
            f"first result itself; its very first job took {cold_ms} ms."
        )
        w("")
        w("| coordinator | jobs | median | fastest | slowest |")
        w("|---|---|---|---|---|")
        for label, values in (("bin/coordinator submit, one JVM per job", latency_ms),
                              ("one JVM, job after job (after its first)", warm_ms)):
            if values:
                w(
                    f"| {label} | {len(values)} | {statistics.median(values):.1f} ms | {min(values):.1f} ms | "
                    f"{max(values):.1f} ms |"
                )
        w("")

    if kills or failed_kills:
        w("## Recovery of a killed worker's tasks")
        w("")
        w(
            "A worker alone takes both tasks of a job (two sleep items, one a task, on the cpu lane), a second, idle "
            "worker joins, and once every partition has its backup on it, the first is killed with SIGKILL mid-item. "
            "*Put back*: how many of the victim's tasks the survivor put back on their queue, and when it logged so, "
            "from the kill. *Running again*: from the kill to the survivor's /metrics showing all of them running "
            "(polled every 10 ms). *Results back*: from the kill to the last re-run item's result, less the item's "
            "length (so it also includes delivering the result); runs before 2026-11-30 measured only this, and it "
            "counted as running again. A kill that leaves a task to the audit (up to twice the lease later), or whose "
            f"tasks run again after more than {Kill.LIMIT_S:.0f} s, fails its check."
        )
        w("")
        w("| kill | put back | after | running again | results back | check |")
        w("|---|---|---|---|---|---|")
        for k in kills:
            after = f"{k.requeue:.2f} s" if k.requeue is not None else "n/a"
            problems = k.problems()
            w(
                f"| {k.number} | {k.put_back} of {k.tasks} | {after} | "
                f"{f'{k.running:.2f} s' if k.running is not None else 'not measured'} | {k.result:.2f} s | "
                f"{'FAILED: ' + '; '.join(problems) if problems else 'ok'} |"
            )
        for cell, why in failed_kills.items():
            w(f"| {cell.removeprefix('kill-')} | | | | | failed: {why.replace('|', '/')} |")
        w("")

    w("## Memory")
    w("")
    bigcell = get("memory", "noop-big", "crew")
    w("| what | measured |")
    w("|---|---|")
    w(f"| worker RSS, idle after start | {idle} MiB |")
    w(f"| worker RSS, idle after all the single-worker cells | {peak(notes, 'rss/idle-after')} MiB |")
    for key in sorted(k for k in notes if k.startswith("rss/") and k.count("/") == 2 and "scaling" not in k):
        w(f"| worker peak RSS during {key[4:]} | {peak(notes, key)} MiB |")
    if bigcell:
        w(
            f"| coordinator through {bigcell.items:,} no-op items with -Xmx{sizes.get('COORDINATOR_HEAP')} | "
            f"largest heap after a collection {note(notes, 'coordinator_heap_after_gc')} MiB over "
            f"{note(notes, 'coordinator_gcs')} collections; {fmt_rate(bigcell.median)} items/s |"
        )
    w("")

    # Scaling.
    conc = int(sizes.get("SCALE_IO_CONCURRENCY", 100))
    scale = []
    for workers in (1, 2, 4):
        io = get("scaling", f"http-get-{workers}w", "crew")
        noop = get("scaling", f"noop-1-per-task-{workers}w", "crew")
        if io and noop:
            scale.append((workers, io, noop))
    if scale:
        w("## Scaling: worker JVMs on this machine")
        w("")
        w(
            f"HTTP GETs (50 ms server delay) with each worker's io lane capped at {conc} in flight, so one worker "
            f"can do at most {conc / 0.05:,.0f} requests/s and more workers add capacity without needing cores; "
            "and no-op tasks with one item per task, where every worker's lanes consume from the one cpu queue."
        )
        w("")
        w(
            "| workers | GETs/s (median) | slowest – fastest | of the ideal | no-op tasks/s (median) | slowest – fastest "
            "| of 1 worker's |"
        )
        w("|---|---|---|---|---|---|---|")
        base = next((noop for workers, _, noop in scale if workers == 1), None)
        for workers, io, noop in scale:
            ideal = workers * conc / 0.05
            w(
                f"| {workers} | {fmt_rate(io.median)} | {spread(io)} | {io.median / ideal:.0%} | "
                f"{fmt_rate(noop.median)} | {spread(noop)} | {f'{noop.median / base.median:.2f}x' if base else 'n/a'} |"
            )
        for (section, cell, _), why in failed.items():
            if section == "scaling":
                w(f"| {cell} | failed: {why.replace('|', '/')} | | | | | |")
        w("")

    w(f"![ratios and scaling]({os.path.basename(out_png)})")
    w("")
    w("## Sizes")
    w("")
    w(", ".join(f"{k}={v}" for k, v in sorted(sizes.items())) + ".")
    w("")
    with open(out_md, "w") as md:
        md.write("\n".join(lines))

    chart(out_png, get, ratio, scale, conc)


def chart(out_png, get, ratio, scale, conc):
    bars = [
        ("fib vs Pool", ratio("cpu", "fib", "python-pool")),
        ("fib vs Dask", ratio("cpu", "fib", "dask")),
        ("GETs vs asyncio", ratio("io", "http-get", "python-asyncio")),
        ("GETs vs 5 threads", ratio("io", "http-get", "python-threads-5")),
        ("tasks vs Pool.map(1)", ratio("overhead", "noop-1-per-task", "python-pool-chunk1")),
        ("tasks vs Celery", ratio("overhead", "noop-1-per-task", "celery")),
        ("tasks vs Dask", ratio("overhead", "noop-1-per-task", "dask")),
        ("items vs Celery chunks", ratio("overhead", "noop-auto", "celery-chunks")),
        ("items vs Pool.map", ratio("overhead", "noop-auto", "python-pool")),
    ]
    bars = [(label, value) for label, value in bars if value]
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "ratios.dat"), "w") as f:
            for i, (label, value) in enumerate(bars):
                f.write(f'{i} "{label}" {value:.4f}\n')
        with open(os.path.join(tmp, "scaling.dat"), "w") as f:
            for workers, io, noop in scale:
                f.write(
                    f"{workers} {io.median:.1f} {io.rates[0]:.1f} {io.rates[-1]:.1f} {noop.median:.1f} "
                    f"{noop.rates[0]:.1f} {noop.rates[-1]:.1f} {workers * conc / 0.05:.1f}\n"
                )
        script = f"""
set terminal pngcairo size 1400,560 font "sans,10"
set output "{out_png}"
set multiplot layout 1,{2 if scale else 1}
set title "Crew / peer, median throughput (log scale; above 1 = Crew faster)"
set logscale y
set yrange [0.1:*]
set style fill solid 0.8
set boxwidth 0.6
set xtics rotate by -30 nomirror
set grid ytics
unset key
plot "{tmp}/ratios.dat" using 1:3:xtic(2) with boxes lc rgb "#3b7dd8", \\
     1 with lines lc rgb "#aa0000" dt 2, \\
     "{tmp}/ratios.dat" using 1:3:(sprintf("%.1fx", $3)) with labels offset 0,0.8
{"unset multiplot" if not scale else ""}
unset logscale y
set yrange [0:*]
set xtics norotate 1
set xrange [0.5:4.5]
set title "Scaling on one machine: worker JVMs (io lane {conc} in flight each)"
set xlabel "workers"
set ylabel "GETs/s"
set y2label "no-op tasks/s (1 item per task)"
set y2tics
set y2range [0:*]
set ytics nomirror
set key top left
plot "{tmp}/scaling.dat" using 1:2:3:4 with yerrorlines lw 2 lc rgb "#3b7dd8" title "GETs/s (50 ms delay)", \\
     "{tmp}/scaling.dat" using 1:8 with lines dt 2 lc rgb "#3b7dd8" title "GETs/s ideal", \\
     "{tmp}/scaling.dat" using 1:5:6:7 axes x1y2 with yerrorlines lw 2 lc rgb "#d87b3b" title "no-op tasks/s"
unset multiplot
"""
        if not scale:
            script = script[: script.index("unset logscale y")]
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


if __name__ == "__main__":
    main()
