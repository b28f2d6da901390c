# The API for production, beside Neo4j 5 (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY graph graph
COPY api api
COPY ontology ontology
COPY loaders loaders
COPY cli cli
# No [embedded] extra: the image talks to Neo4j (CONNECTS_URI), so the ~170 MB engine stays out.
RUN pip install . && useradd --system --uid 10001 connects
COPY data data

USER connects
EXPOSE 8000
CMD ["connects", "serve", "--host", "0.0.0.0", "--port", "8000"]
