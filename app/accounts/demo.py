"""The demo logins: loaded by `flask demo load`, listed on the sign-in page while demo mode is on.
The role words are marked for the catalog (N_) and translated where the sign-in page shows them."""

from app.db import N_

DEMO_LOGINS = [
    ("admin@liaison.example", N_("Admin")),
    ("coordinator@liaison.example", N_("Coordinator")),
    ("organiser@liaison.example", N_("Organiser")),
    ("member@liaison.example", N_("Member")),
    ("orgadmin@liaison.example", N_("Organisation admin")),  # a member who decides NPU's membership requests
]
DEMO_PASSWORD = "liaison-demo-2026"
