"""PostgreSQL-only search support: pg_trgm, a trigram GIN index and a full-text GIN index on titles.

Guarded so SQLite (the embedded default) migrates as a no-op.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS movie_title_trgm_idx ON movies_movie USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS movie_original_title_trgm_idx ON movies_movie USING gin (original_title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS movie_title_fts_idx ON movies_movie USING gin ("
    "(setweight(to_tsvector('simple'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE(original_title, '')), 'B')))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS movie_title_fts_idx",
    "DROP INDEX IF EXISTS movie_original_title_trgm_idx",
    "DROP INDEX IF EXISTS movie_title_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("movies", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
