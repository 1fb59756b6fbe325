"""Bulk Activities: the checked requests, the batched tasks that carry them out, and their runner.

``runner.schedule(account, kind, plan)`` creates an activity (429 past 1,000 queued) and enqueues
its task; ``handlers.process(activity_pk)`` runs one to the end, as the Celery task does. One module
per kind of work: ``imports``, ``exports``, ``memberships``, ``deletes``; the layers are listed in
``pyproject.toml`` and checked by import-linter.
"""
