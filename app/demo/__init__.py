"""Demo data: a believable network of organisations, projects, people, events and lessons."""
