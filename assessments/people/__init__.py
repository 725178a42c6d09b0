"""Organizations and people: members and their roles, invitations, new organizations, sign-in lockouts and
the audit log's page (services, forms, views). Their models stay in assessments/models.py; the sign-in
backend (backends.py), the session middleware (middleware.py) and the audit writer (audit.py) stay at the
app's top level, where settings and every other module name them.
"""
