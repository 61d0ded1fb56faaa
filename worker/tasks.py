"""Celery tasks: thin wrappers that take ids and plain values and call the domain."""
