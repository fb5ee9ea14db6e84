"""The served store: loading a build into pyoxigraph (load.py) and answering one query the way every caller gets it (evaluate.py)."""
from .load import DistMismatch, load_dist, load_file

__all__ = ["DistMismatch", "load_dist", "load_file"]
