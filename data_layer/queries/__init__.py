"""Modules that read the database: SQLAlchemy Core queries, one module per page (named as the page is).

Each returns a tidy DataFrame; pure calculations on those frames live in ``data_layer.metrics``.
"""
