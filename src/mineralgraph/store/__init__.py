"""Store: the dist/ dumps loaded into the pyoxigraph store the server and stored queries answer from."""
