"""Storage: SQLAlchemy 2.0 models, engine/session and the Alembic migration runner."""
