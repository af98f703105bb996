"""Creates the PostgreSQL database DATABASE_URL names when it is missing (the local real-services path)."""

import psycopg
from django.db import OperationalError, connection
from psycopg import sql

# Where CREATE DATABASE is run from: PostgreSQL's maintenance database, present on every server.
MAINTENANCE_DATABASE = "postgres"


def ensure_database() -> str:
    """'exists' or 'created' for PostgreSQL; 'embedded' for SQLite (the file is made on first use)."""
    if connection.vendor != "postgresql":
        return "embedded"
    try:
        connection.ensure_connection()
        return "exists"
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    params = connection.get_connection_params() | {"dbname": MAINTENANCE_DATABASE}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(connection.settings_dict["NAME"])))
    return "created"
