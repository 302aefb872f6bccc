import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecoop.settings.local")

app = Celery("carecoop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The embedded broker keeps its messages in folders that must exist before the first
# message is written, whether by the web process or by the worker.
if str(app.conf.broker_url).startswith("filesystem://"):
    for option in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = app.conf.broker_transport_options.get(option)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
