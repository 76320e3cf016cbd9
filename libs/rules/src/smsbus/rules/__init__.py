"""Rules of law as data and pure functions: quiet hours by where a person is (`quiet_hours`)."""
