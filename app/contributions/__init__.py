"""Co-preparation (issue 22): calls for topics and contributions, proposals, support and review."""
