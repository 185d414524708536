"""Interactive tools for Jupyter and Colab, built on ipywidgets.

Each tool keeps its logic in plain methods (``step()``, ``render()``, ...)
that tests call without a browser; the widgets only wire buttons and sliders
to those methods.
"""
