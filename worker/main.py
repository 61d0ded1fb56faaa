"""Worker entry point: `celery -A worker.main worker` (and `beat`)."""

from server import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
