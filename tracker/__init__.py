"""AI-industry incident tracker: the plain-Python core (never imports streamlit)."""

__version__ = "0.1.0"
