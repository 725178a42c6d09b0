"""Reminder e-mails, sent by Celery beat in each person's time zone: assessment deadlines to organizations,
due and overdue improvement actions to their owners, submissions waiting for review to NAM staff.

models (preferences and the record of what was sent), selectors (who is due what), services (sending,
preferences, unsubscribing), tasks, views (the settings page and the one-click unsubscribe); templates in
templates/reports/reminders/ and templates/emails/reminder_*.txt.
"""
