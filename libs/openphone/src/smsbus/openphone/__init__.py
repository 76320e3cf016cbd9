"""OpenPhone (Quo): the API client and webhook signatures."""
