"""Build: sources, gazetteer and annotations -> verified quotes and statements -> one named graph per source."""
