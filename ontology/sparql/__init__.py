"""SPARQL over the published RDF: one package for the whole endpoint but its HTTP route.

- ``limits``: what one query may use (time, results, memory, length) and how many run at once;
- ``errors``: every refusal and failure, each with its HTTP status and problem type;
- ``evaluate``: a query on a store, read-only, never federated, bounded;
- ``child``: one query in a forked child, killed at the deadline and bounded in memory;
- ``snapshot``: the store, built from the graph (or patched from the previous one) per load;
- ``media``: which formats a request accepts, over the one table in ``ontology/formats.py``;
- ``service``: the process's snapshot kept in step with the graph, and the query slots.
"""
