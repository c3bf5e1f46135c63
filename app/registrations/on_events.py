"""What registrations do when an event or session changes (subscribes to app.events.signals)."""
