"""Knowledge checks: pre- and post-tests of training sessions and events, and their results."""
