"""Cloudonix: a SIP platform (bring your own carrier) with a REST API for DNIDs and apps."""

from .plugin import CloudonixProvider

__all__ = ["CloudonixProvider"]
