"""Random streams equal to torch's CPU generator (being written)."""
__all__ = []
