"""The served store: loading a build into pyoxigraph (load.py) and answering one query the way every caller gets it (evaluate.py)."""
from .load import load_dist, load_file

__all__ = ["load_dist", "load_file"]
