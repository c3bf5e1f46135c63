"""The JSON API under /api/v1 (issue 21): flask-smorest blueprints that authenticate a personal
access token and then call the same visibility, permission, query and service functions the pages
call — no access rule lives here."""
