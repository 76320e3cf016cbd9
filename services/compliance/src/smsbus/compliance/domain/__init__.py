"""compliance's pure logic: no I/O, no clocks, no random ids (they are passed in)."""
