"""Signing in: django-allauth's second factor and single sign-on, fitted to the portal's invitations, roles,
lockouts (django-axes) and audit log. allauth does the protocols; this package holds the portal's rules."""
