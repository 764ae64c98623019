"""The RQ worker process of the benchmark (started by rq_driver.py): one SimpleWorker on the run's queue.

SimpleWorker runs each job in this process; RQ's default Worker forks a work horse per job, which costs
milliseconds a job. RQ 1.13 has no worker pool (it came in 1.14): one job at a time per process.
"""
import logging
import os
import sys

from redis import Redis
from rq import Queue
from rq.worker import SimpleWorker

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    prefix = os.environ["PEER_PREFIX"]
    conn = Redis.from_url(os.environ["PEER_REDIS"])
    q = Queue(prefix, connection=conn)
    w = SimpleWorker([q], name=prefix + "_worker", connection=conn, log_job_description=False,
                     default_result_ttl=0)
    with open(os.environ["PEER_READY_FILE"], "w") as f:
        f.write("ready\n")
    w.work(logging_level=logging.WARNING)


if __name__ == "__main__":
    main()
