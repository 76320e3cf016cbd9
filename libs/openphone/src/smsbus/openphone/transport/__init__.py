"""HTTP to OpenPhone: one request with rate limiting, retries and error mapping."""
