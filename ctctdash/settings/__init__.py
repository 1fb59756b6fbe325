"""Settings package: ``base`` holds what every environment shares; ``local``, ``test`` and
``production`` each start from it. Pick one with ``DJANGO_SETTINGS_MODULE``."""
