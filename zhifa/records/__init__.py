"""Learning records (xAPI-style statements) and the hours ledger (学时): HoursEntry, HoursRequirement."""
