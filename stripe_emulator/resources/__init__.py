"""API resources: each module builds its objects from fixture templates and declares its routes."""
