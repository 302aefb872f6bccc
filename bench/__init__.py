"""`make bench`: whole requests timed on committed town-size databases, and load through gunicorn."""
