"""Email Campaigns, Email Campaigns AB Tests and Email Scheduling: campaigns, their activities,
the send engine that mails them and the tracking that records what recipients do with them.

Layers, each importing only those below it:

- ``endpoints/``: one module per spec tag, the HTTP handlers;
- ``serializers/``: resources as the spec shapes them;
- ``services/``: the rules of each operation (checks, status machines);
- ``engine/``: the Celery tasks and the work they run (resolve recipients, render, send, record);
- ``rendering/`` and ``tracking/``: a copy per recipient, and the public URLs it links to;
- ``models/``: the rows.
"""
