"""The board pack: ``export`` makes it (the CLI and ``build_pack``), ``button`` is the shell's way to it.

``build`` gathers every page's sections in presentation mode and renders them with the template
``pack.html.j2`` and its stylesheet ``pack.css``; ``summary`` writes the one-page summary from the
Overview's tiles; ``figure`` sizes each figure for A4 landscape; ``pdf`` prints it with headless
Chromium and numbers the contents.

The pack is built from sections alone: nothing here imports the app, the shell, the views or the pages.
"""
