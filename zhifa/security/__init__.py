"""Security (等保 level 3): provincial single sign-on (OIDC, CAS), the administrators' second factor (TOTP),
deployment checks, the append-only audit table in PostgreSQL. docs/security.md maps each control to its place."""
