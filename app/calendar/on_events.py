"""Calendar updates for changes to events and their sessions (subscribes to app.events.signals)."""
