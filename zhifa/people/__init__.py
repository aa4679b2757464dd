"""Units (the organisation tree), officers, user accounts and roles; access.py decides who may see or manage whom."""
