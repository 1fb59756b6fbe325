"""The send engine: Celery tasks that start due activities and mail each recipient once, resumably."""
