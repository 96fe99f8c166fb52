"""AI-industry incident tracker: the plain-Python core (never imports streamlit)."""

from tracker import native as _native

__version__ = "0.1.0"
# Before any tagging module is imported: compiled (tracker.native) only if built from
# these very sources.
_native.guard()
