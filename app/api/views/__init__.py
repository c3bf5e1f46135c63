"""The API's resources, one blueprint a module (app.api.spec registers them under /api/v1)."""
