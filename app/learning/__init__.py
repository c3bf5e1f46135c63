"""Knowledge checks (issue 22): pre- and post-tests of an event or a training session, their
scores and learning gain (Kirkpatrick level 2) beside the feedback (level 1), and a follow-up survey
some weeks after the event (level 3)."""
