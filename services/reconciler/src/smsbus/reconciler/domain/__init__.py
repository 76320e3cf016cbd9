"""The reconciler's pure logic: no I/O, no clock, no random ids (they are passed in)."""
