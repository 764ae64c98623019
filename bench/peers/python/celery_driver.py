"""Celery 5 on Redis as a driver of the side-by-side benchmark (protocol: common.py; settings: celery_app.py).

The worker is `celery worker` in a process of its own, as Celery runs. Pool: prefork with one process per core
(Celery's default, the fastest for no-op jobs here) for throughput, e2e, latency and footprint; threads with
--concurrency C for the I/O scenario (Celery's best pool for sleeping jobs that Debian packages; gevent and
eventlet are not used). --pool prefork|threads|solo overrides. Bulk enqueue: Celery has no bulk call; every
job goes through apply_async on one shared producer connection (Celery's documented way to send many).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402


class CelerySystem:
    name = "celery"

    def __init__(self, a, rec):
        os.environ["PEER_PREFIX"] = a.prefix
        os.environ["PEER_REDIS"] = a.redis.rstrip("/") + "/0"
        os.environ["PEER_RECORD_FILE"] = rec.path
        io = a.scenario == "io"
        self.pool = a.extra.get("pool", "threads" if io else "prefork")
        os.environ["PEER_PREFETCH"] = "1" if io else "64"
        import celery
        import celery_app

        self.version = celery.__version__
        self.app = celery_app.app
        self.task = celery_app.noop
        self.rec = rec
        self.proc = None
        self.producer_cm = self.app.producer_or_acquire()
        self.producer = self.producer_cm.__enter__()

    def settings(self, a):
        procs = os.cpu_count() if self.pool == "prefork" else a.concurrency
        return {
            "enqueue": "apply_async on one shared producer connection (Celery has no bulk send); latency: the same, one per job",
            "worker": "celery worker -P %s -c %d, prefetch multiplier %s, early acks, ignore results, "
                      "--without-gossip --without-mingle --without-heartbeat, no remote control"
                      % (self.pool, procs if self.pool != "solo" else 1, os.environ["PEER_PREFETCH"]),
        }

    def start_worker(self, concurrency):
        c = os.cpu_count() if self.pool == "prefork" else concurrency
        fd, ready = tempfile.mkstemp(prefix="peer-celery-ready-")
        os.close(fd)
        os.unlink(ready)
        env = dict(os.environ, PEER_READY_FILE=ready, PYTHONPATH=HERE)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", self.pool, "-c", str(c),
             "-Q", os.environ["PEER_PREFIX"], "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "WARNING"],
            cwd=HERE, env=env, stdout=sys.stderr)
        deadline = time.time() + 120
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("celery worker exited with %s before it was ready" % self.proc.returncode)
            if time.time() > deadline:
                raise RuntimeError("celery worker not ready after 120 s")
            time.sleep(0.005)
        os.unlink(ready)

    def enqueue_bulk(self, jobs):
        for j in jobs:
            self.task.apply_async(j, producer=self.producer)

    def enqueue_one(self, job):
        self.task.apply_async(job, producer=self.producer)

    def await_recorded(self, n, deadline):
        return self.rec.wait_for(n, deadline)  # early acks: a job is acked before it runs

    def close(self):
        self.producer_cm.__exit__(None, None, None)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


if __name__ == "__main__":
    common.main(CelerySystem)
