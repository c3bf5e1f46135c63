"""Calendar invitations and cancellations for registrations and session sign-ups (subscribes to app.registrations.signals)."""
