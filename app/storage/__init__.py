"""SQLAlchemy tables, one repository per aggregate, the unit of work and the alembic migrations."""
