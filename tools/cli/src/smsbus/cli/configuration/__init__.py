"""The SMSBUS_ variables: collected from where they are declared, written into .env.example."""
