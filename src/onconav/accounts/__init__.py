"""Accounts: users and roles, sign-in, sessions, consent, the access policy, the audit log and encryption.

Other domains use `deps` (who is asking), `policy` (may they), `audit` (record it) and `crypto`.
"""
