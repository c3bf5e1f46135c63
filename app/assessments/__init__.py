"""Needs assessments (issue 22): questionnaires to partner units before trainings are planned, their
answers, and the needs (capability gaps) identified from them, linked to the events that address
them. Layer 4: reads the directory, accounts, events and registrations; lessons reads it."""
