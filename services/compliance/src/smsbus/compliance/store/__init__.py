"""compliance's persistence: keyword-only async functions over its tables, one module per topic;
SQLAlchemy Core statements (and `text()` where PostgreSQL says it better) over the SQLModel
tables of models.py. No module outside store/ builds SQL."""
