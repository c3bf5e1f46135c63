"""Privacy as the GDPR asks of a data controller: a person's own data (download, deletion), consent
to registrations made by others, and the admins' audit log. Sits above every capability package."""
