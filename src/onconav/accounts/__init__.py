"""Accounts: users and roles, sign-in, sessions, consent, the access policy, the audit log and encryption.

Other domains use `service` (users, mail to users), `roles` (the vocabularies), `principal` (who is
asking), `policy` (may they), `audit` (record it) and `crypto` (seal it); faces get the principal from
`onconav.web.dependencies`.
"""
