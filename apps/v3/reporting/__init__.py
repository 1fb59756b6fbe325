"""Email, Contacts, Landing Pages and SMS Reporting: reports over the rows campaigns, events and SMS record.

Layers, each importing only those below it:

- ``endpoints/``: one module per spec tag, the HTTP handlers;
- ``services/`` and ``serializers/``: the rules of each report (parameters, limits, formulas) and the
  report shapes as the spec defines them;
- ``rollups/``: the counters and per-contact rollups reports read, and the catch-up that folds new
  event rows into them from a watermark (docs/decisions/reporting.md#rollups-catch-up-from-a-watermark);
- ``models/``: the rollup rows and their watermarks.
"""
