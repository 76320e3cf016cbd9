"""The OpenPhone simulator."""
