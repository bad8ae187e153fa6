"""Pure metric definitions: DataFrames or values in, values out; no database, no SQL.

Shared by the query modules (``data_layer.queries``) and the figure builders, and tested on hand-made inputs.
"""
