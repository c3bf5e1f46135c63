"""WSGI entry point: `gunicorn wsgi:app` (see the README for production settings)."""

from app import create_app

app = create_app()
