"""Shared foundations: base models, AuditEvent, crypto_provider, Chinese text, test personas."""
