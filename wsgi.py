"""For any WSGI server: `waitress-serve wsgi:app` or `gunicorn wsgi:app`."""

import gc

from savings_groups import create_app

app = create_app()
# What the app loaded at start (Babel's data, the templates, peewee's models) lives as long as
# the process: out of the collector's way, so that a collection walks only what requests made
# (the dashboard of 1,000 groups: 185 -> 151 ms; docs/benchmarks.md).
gc.freeze()
