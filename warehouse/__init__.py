"""Arrow schemas, atomic Parquet writes, DuckDB loads, lookups and views."""
