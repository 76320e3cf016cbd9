"""smsbus reconciler."""
