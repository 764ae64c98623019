"""The drivers' protocol for Python systems (Celery, RQ): the same flags, scenarios and output as the JVM
harness (bench/peers/java/.../JvmHarness.java) and the Node one (bench/peers/node/common.js).

Their workers run in processes of their own, so job bodies (jobbody.py) append one line per job,
"<sent us> <start us> <end us>", to a file the driver names (PEER_RECORD_FILE); one os.write of a short line on
an O_APPEND file is atomic, from threads or processes alike. The driver reads the file as it grows.
Prints "READY <epoch ms>" once the worker takes jobs and one line "RESULT <json>" at the end.
Runs only under /usr/bin/python3: Debian's python3-celery, python3-rq and python3-redis live there.
"""
import json
import os
import sys
import tempfile
import concurrent.futures
import time
import traceback


# Threads sending the latency scenario's jobs: enough that a send never waits for a free one at these rates.
SENDERS = 64
# Jobs sent one at a time, unmeasured, before the latency schedule starts (the same in every harness).
PRIME = 100


def now_micros():
    return time.time_ns() // 1000


def round3(v):
    """A value rounded to 3 significant digits: the drivers' common histogram form."""
    if v < 1000:
        return v
    scale = 1
    while v // scale >= 1000:
        scale *= 10
    return (v // scale) * scale


class Args:
    def __init__(self, argv):
        m = {}
        i = 0
        while i < len(argv):
            a = argv[i]
            if not a.startswith("--"):
                raise ValueError("unexpected argument '%s'" % a)
            if "=" in a:
                k, v = a[2:].split("=", 1)
            else:
                if i + 1 >= len(argv):
                    raise ValueError(a + " needs a value")
                k, v = a[2:], argv[i + 1]
                i += 1
            m[k] = v
            i += 1
        self.scenario = m.pop("scenario", "e2e")
        self.jobs = int(m.pop("jobs", 10000))
        self.concurrency = int(m.pop("concurrency", 64))
        self.rate = int(m.pop("rate", 1000))
        self.duration_ms = int(m.pop("duration-ms", 10000))
        self.warmup_ms = int(m.pop("warmup-ms", 2000))
        self.sleep_ms = int(m.pop("sleep-ms", 0))
        self.batch = int(m.pop("batch", 1000))
        self.idle_ms = int(m.pop("idle-ms", 2000))
        self.redis = m.pop("redis", "redis://127.0.0.1:6379")
        self.prefix = m.pop("prefix", "peerbench")
        self.pg = m.pop("pg", None)
        self.timeout_seconds = int(m.pop("timeout-seconds", 600))
        self.extra = m
        if self.scenario not in ("throughput", "e2e", "latency", "io", "footprint"):
            raise ValueError("unknown --scenario %s; known: throughput, e2e, latency, io, footprint" % self.scenario)


class Recorder:
    """Reads the job lines the workers append: counts, first start, last end, enqueue-to-start latencies."""

    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix="peer-record-", suffix=".txt")
        os.close(fd)
        self.finished = 0
        self.first_start = None
        self.last_finish = 0
        self.latency = {}
        self._f = open(self.path, "rb")
        self._rest = b""

    def poll(self):
        data = self._f.read()
        if not data:
            return
        data = self._rest + data
        lines = data.split(b"\n")
        self._rest = lines.pop()
        for line in lines:
            sent, start, end = (int(x) for x in line.split())
            self.finished += 1
            if self.first_start is None or start < self.first_start:
                self.first_start = start
            self.last_finish = max(self.last_finish, end)
            if sent > 0:
                k = round3(max(0, start - sent))
                self.latency[k] = self.latency.get(k, 0) + 1

    def wait_for(self, n, deadline):
        while True:
            self.poll()
            if self.finished >= n:
                return True
            if time.time() > deadline:
                return False
            time.sleep(0.001)

    def close(self):
        self._f.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def ready():
    sys.stdout.write("READY %d\n" % (time.time_ns() // 1_000_000))
    sys.stdout.flush()


def _enqueue_all(sysm, n, sleep_ms, batch):
    for start in range(0, n, batch):
        sysm.enqueue_bulk([(i, 0, sleep_ms) for i in range(start, min(n, start + batch))])


def _finish(out, rec, n, done, from_us, end_us, primed=0):
    out["completed"] = rec.finished
    out["recorded"] = done
    out["wallMs"] = (end_us - from_us) / 1000.0
    if done:
        out["jobsPerSecond"] = n / (out["wallMs"] / 1000.0)
    return done and rec.finished == n + primed


def run_scenario(sysm, a, rec, out):
    deadline = time.time() + a.timeout_seconds
    n = a.jobs
    sleep_ms = (a.sleep_ms if a.sleep_ms > 0 else 100) if a.scenario == "io" else 0
    out["jobs"] = n
    out["concurrency"] = a.concurrency
    if a.scenario == "throughput":
        t0 = now_micros()
        _enqueue_all(sysm, n, 0, a.batch)
        out["enqueueMs"] = (now_micros() - t0) / 1000.0
        sysm.start_worker(a.concurrency)
        ready()
        done = sysm.await_recorded(n, deadline)
        return _finish(out, rec, n, done, rec.first_start or now_micros(), now_micros())
    if a.scenario == "latency":
        sysm.start_worker(a.concurrency)
        ready()
        # Priming, as in every harness: PRIME jobs one at a time, unmeasured, before the schedule starts.
        for i in range(PRIME):
            sysm.enqueue_one((i, 0, 0))
        if not sysm.await_recorded(PRIME, deadline):
            raise RuntimeError("the priming jobs did not finish")
        total = (a.warmup_ms + a.duration_ms) * a.rate // 1000
        base = now_micros() + 20000
        measure_from = base + a.warmup_ms * 1000
        # Open loop: each send starts at its due time on a thread of the pool, without waiting for the sends before
        # it (concurrent requests, as in every harness): a slow send delays its own job, and is counted in it.
        with concurrent.futures.ThreadPoolExecutor(max_workers=SENDERS) as senders:
            sends = []
            for i in range(total):
                due = base + i * 1_000_000 // a.rate
                wait = due - now_micros()
                if wait > 0:
                    time.sleep(wait / 1e6)
                sends.append(senders.submit(sysm.enqueue_one, (PRIME + i, due if due >= measure_from else 0, 0)))
            for f in sends:
                f.result()  # a failed send fails the run
        out["rate"] = a.rate
        out["jobs"] = total
        out["primingJobs"] = PRIME
        done = sysm.await_recorded(PRIME + total, deadline)
        out["latencyUs"] = {str(k): v for k, v in sorted(rec.latency.items())}
        return _finish(out, rec, PRIME + total, done, base, now_micros())
    sysm.start_worker(a.concurrency)
    ready()
    if a.scenario == "footprint":
        time.sleep(a.idle_ms / 1000.0)
    # I/O-bound runs last about a second: primed like latency, or they would measure the cold start.
    primed = 0
    if a.scenario == "io":
        for i in range(PRIME):
            sysm.enqueue_one((i, 0, 0))
        if not sysm.await_recorded(PRIME, deadline):
            raise RuntimeError("the priming jobs did not finish")
        primed = PRIME
    out["primingJobs"] = primed
    t0 = now_micros()
    _enqueue_all(sysm, n, sleep_ms, a.batch)
    out["enqueueMs"] = (now_micros() - t0) / 1000.0
    done = sysm.await_recorded(primed + n, deadline)
    return _finish(out, rec, n, done, t0, now_micros(), primed)


def main(make_system):
    """Parses the arguments, runs the scenario, prints the RESULT line; exits 0 (all recorded), 1 or 2."""
    try:
        a = Args(sys.argv[1:])
    except ValueError as e:
        sys.stderr.write("driver: %s\n" % e)
        sys.exit(2)
    rec = Recorder()
    out = {}
    ok = False
    sysm = None
    try:
        sysm = make_system(a, rec)
        out["system"] = sysm.name
        out["version"] = sysm.version
        out["scenario"] = a.scenario
        out["settings"] = sysm.settings(a)
        ok = run_scenario(sysm, a, rec, out)
    except Exception as e:  # the RESULT line says what failed
        traceback.print_exc()
        out["error"] = repr(e)
        ok = False
    out["ok"] = ok
    try:
        if sysm is not None:
            sysm.close()
    except Exception as e:
        sys.stderr.write("close: %r\n" % e)
    rec.close()
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0 if ok else 1)
