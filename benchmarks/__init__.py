"""Performance harness of CSC Insight (issue 9): ``python -m benchmarks.run`` (``make bench``).

* :mod:`benchmarks.build`   demo databases per size, cached under ``benchmarks/data/`` and copied
  to DuckDB and PostgreSQL with the demo generator's indexes;
* :mod:`benchmarks.measure` every page callback through Dash's own HTTP dispatch, uncached and
  warm, its payload, the SQL it ran replayed on the raw driver, per data-layer function;
* :mod:`benchmarks.naive`   the naive baseline: tables read into pandas and computed there;
* :mod:`benchmarks.report`  ``results.csv`` and ``RESULTS.md`` with the machine and the goals.

Nothing here is imported by the dashboard; speed goals are reported, never asserted in tests.
"""
