"""WSGI entry point (gunicorn ctctdash.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.production")
application = get_wsgi_application()
