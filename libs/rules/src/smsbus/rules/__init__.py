"""Rules of law as data and pure functions: when a person may be texted (`quiet_hours`), by the
state rows of `states` (each citing its statute), the holiday calendars of `holidays`, the
address data of `places` and the strictest combination of them (`strictest`)."""
