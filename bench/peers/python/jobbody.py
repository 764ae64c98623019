"""The job body of the Python systems: record start and end in the driver's file (see common.py)."""
import os
import time

_fd = None


def _record_fd():
    global _fd
    if _fd is None:
        _fd = os.open(os.environ["PEER_RECORD_FILE"], os.O_WRONLY | os.O_APPEND)
    return _fd


def run(seq, sent_us, sleep_ms):
    start = time.time_ns() // 1000
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000.0)
    end = time.time_ns() // 1000
    os.write(_record_fd(), b"%d %d %d\n" % (sent_us, start, end))
