"""compliance: opt-out/opt-in/HELP detection, the consent ledger, phone validation and DNC lists."""
