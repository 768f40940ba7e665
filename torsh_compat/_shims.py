"""Shims for what scripts touch on machines without accelerators (being written)."""
__all__ = []
