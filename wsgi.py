"""For any WSGI server: `waitress-serve wsgi:app` or `gunicorn wsgi:app`."""

from savings_groups import create_app

app = create_app()
