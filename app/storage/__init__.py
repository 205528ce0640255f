"""SQLAlchemy tables, the request repository, the unit of work and the alembic migrations."""
