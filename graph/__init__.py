"""The only package that talks to the graph database."""
