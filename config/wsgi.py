import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

try:
    from core.warmup import warm_up

    warm_up()  # a worker's first pages as fast as its later ones (core/warmup.py)
except Exception:  # a warm-up that fails must not stop the server from starting
    logging.getLogger("core.warmup").exception("warm-up failed; serving cold")
