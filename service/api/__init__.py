"""The HTTP API (FastAPI). The only package that imports FastAPI; it calls service actions."""
