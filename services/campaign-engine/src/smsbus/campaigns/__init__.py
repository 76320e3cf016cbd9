"""campaign-engine: compliant, throttled campaigns."""
