"""Shared foundations: base models, AuditEvent, crypto_provider, Chinese text helpers, test personas, the learner home."""
