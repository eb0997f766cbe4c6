"""Mountsea Image Studio."""

__version__ = "0.1.0"
APP_NAME = "Mountsea Image Studio"
ORG_NAME = "Mountsea"
