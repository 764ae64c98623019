"""RQ on Redis as a driver of the side-by-side benchmark (protocol: common.py; worker: rq_worker.py).

Best-performance settings RQ 1.13 allows, from its documentation:
- bulk enqueue with Queue.enqueue_many (one Redis pipeline per batch of Queue.prepare_data jobs);
- result_ttl=0: no result kept (nothing to write after each job beyond RQ's own bookkeeping);
- SimpleWorker (no fork per job) in one worker process; RQ 1.13 runs one job at a time per process, so the
  concurrency flag does not apply (the I/O scenario gets fewer jobs for RQ, and says so);
- every Redis key the run touches carries the run's prefix (the queue, job ids, the worker's name), and the
  run's entry in RQ's global set of queues is removed at the end.
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


class RqSystem:
    name = "rq"

    def __init__(self, a, rec):
        import rq
        from redis import Redis
        from rq import Queue

        self.version = rq.__version__
        self.prefix = a.prefix
        self.redis_url = a.redis.rstrip("/") + "/0"
        self.conn = Redis.from_url(self.redis_url)
        self.q = Queue(a.prefix, connection=self.conn)
        self.rec = rec
        self.proc = None

    def settings(self, a):
        return {
            "enqueue": "Queue.enqueue_many of %d prepare_data jobs per call (one pipeline); latency: Queue.enqueue, one per call" % a.batch,
            "worker": "one SimpleWorker process (no fork per job), one job at a time (RQ 1.13 has no pool), result_ttl=0",
        }

    def _data(self, job):
        return self.q.prepare_data("jobbody.run", args=job, result_ttl=0, job_id="%s_%d" % (self.prefix, job[0]))

    def start_worker(self, concurrency):
        fd, ready = tempfile.mkstemp(prefix="peer-rq-ready-")
        os.close(fd)
        os.unlink(ready)
        env = dict(os.environ, PEER_PREFIX=self.prefix, PEER_REDIS=self.redis_url, PEER_RECORD_FILE=self.rec.path,
                   PEER_READY_FILE=ready, PYTHONPATH=HERE)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "rq_worker.py")], cwd=HERE, env=env,
                                     stdout=sys.stderr)
        deadline = time.time() + 60
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("rq worker exited with %s before it was ready" % self.proc.returncode)
            if time.time() > deadline:
                raise RuntimeError("rq worker not ready after 60 s")
            time.sleep(0.005)
        os.unlink(ready)

    def enqueue_bulk(self, jobs):
        self.q.enqueue_many([self._data(j) for j in jobs])

    def enqueue_one(self, job):
        self.q.enqueue_call("jobbody.run", args=job, result_ttl=0, job_id="%s_%d" % (self.prefix, job[0]))

    def await_recorded(self, n, deadline):
        if not self.rec.wait_for(n, deadline):
            return False
        # Then RQ's own books: nothing queued or started any more.
        while len(self.q) > 0 or self.q.started_job_registry.count > 0:
            if time.time() > deadline:
                return False
            time.sleep(0.001)
        return True

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current job
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.conn.srem("rq:queues", "rq:queue:" + self.prefix)


if __name__ == "__main__":
    common.main(RqSystem)
