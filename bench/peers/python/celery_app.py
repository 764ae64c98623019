"""The Celery app of the benchmark, configured from the environment the Celery driver sets (celery_driver.py).

Best-performance settings, from Celery's "Optimizing" guide and worker documentation:
- task_ignore_result: no result backend writes;
- early acks (task_acks_late off, the default): the message is acked when received, one round trip fewer;
- worker_prefetch_multiplier: 64 for no-op jobs ("many short tasks": a high multiplier), 1 for sleeping ones;
- no gossip, mingle, heartbeats or remote control: no broadcast traffic on the broker;
- every Redis key the run touches carries the run's prefix (queue, bindings, unacked sets).
"""
import os

from celery import Celery

import jobbody

PREFIX = os.environ.get("PEER_PREFIX", "peerbench")

app = Celery("peer", broker=os.environ.get("PEER_REDIS", "redis://127.0.0.1:6379/0"))
app.conf.update(
    task_default_queue=PREFIX,
    task_ignore_result=True,
    task_acks_late=False,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=int(os.environ.get("PEER_PREFETCH", "64")),
    worker_enable_remote_control=False,
    worker_send_task_events=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "unacked_key": PREFIX + "_unacked",
        "unacked_index_key": PREFIX + "_unacked_index",
        "unacked_mutex_key": PREFIX + "_unacked_mutex",
    },
)


@app.task(name="peer_noop")
def noop(seq, sent_us, sleep_ms):
    jobbody.run(seq, sent_us, sleep_ms)


@__import__("celery").signals.worker_ready.connect
def _ready(**_):
    marker = os.environ.get("PEER_READY_FILE")
    if marker:
        with open(marker, "w") as f:
            f.write("ready\n")
