"""gunicorn settings for `make bench` (the production server configuration, on loopback)."""

import multiprocessing
import os

workers = int(os.environ.get("BENCH_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"  # the bench's "gunicorn-sync" server passes --worker-class sync
threads = int(os.environ.get("BENCH_THREADS", "4"))
keepalive = 5
backlog = 2048
accesslog = None
loglevel = "warning"
preload_app = False


def child_exit(server, worker):
    from core.metrics import child_exit as drop_dead_worker

    drop_dead_worker(server, worker)
