"""Stored queries: named, documented, parameterised SPARQL in queries/*.rq, run by the CLI
(`mineralgraph queries`, `mineralgraph query NAME`) and over HTTP (/queries, /openapi.json).
The header syntax is documented in docs/QUERIES.md."""
from .binding import bind_text, collect, prepare
from .model import BindError, Param, QuerySpecError, StoredQuery
from .spec import load_all, parse, query_dir

__all__ = ["BindError", "Param", "QuerySpecError", "StoredQuery", "bind_text", "collect",
           "load_all", "parse", "query_dir", "prepare"]

