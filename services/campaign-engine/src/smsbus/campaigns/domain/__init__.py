"""Pure campaign logic: no I/O, no clocks, no ids; everything is passed in."""
