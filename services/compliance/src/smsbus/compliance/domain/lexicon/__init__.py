"""The classifier's data, one module per language; `keywords.py` assembles them."""
