"""The local stack without Docker: Kafka from Maven Central jars, PostgreSQL, the services."""
