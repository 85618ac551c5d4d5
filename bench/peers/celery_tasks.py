"""The Celery app of the benchmark: a no-op task, Redis as broker and result backend (URL in CELERY_REDIS), JSON."""
import os

from celery import Celery

app = Celery("crew_bench", broker=os.environ["CELERY_REDIS"], backend=os.environ["CELERY_REDIS"])
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task
def noop(x):
    return x
