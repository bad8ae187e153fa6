"""Dash pages: one thin module per page (register_page, layout, callbacks)."""
