"""ingest-webhooks: OpenPhone webhooks, verified and durable on Kafka."""
