"""The board pack (``dashboard.export`` is its entry point).

``build`` gathers every page's sections in presentation mode and renders them with the template
``pack.html.j2`` and its stylesheet ``pack.css``; ``summary`` writes the one-page summary from the
Overview's tiles; ``figure`` sizes each figure for A4 landscape; ``pdf`` prints it with headless
Chromium and numbers the contents.
"""
