"""Templates of the board pack (``dashboard.export``): one Jinja2 HTML template and its stylesheet."""
