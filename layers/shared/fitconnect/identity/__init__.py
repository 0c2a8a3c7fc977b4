"""Identity: accounts, passwords, tokens and keys, MFA, SSO, password reset, the API authorizer."""
