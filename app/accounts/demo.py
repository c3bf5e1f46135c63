"""The demo logins: loaded by `flask demo load`, listed on the sign-in page while demo mode is on."""

DEMO_LOGINS = [
    ("admin@liaison.example", "Admin"),
    ("coordinator@liaison.example", "Coordinator"),
    ("organiser@liaison.example", "Organiser"),
    ("member@liaison.example", "Member"),
    ("orgadmin@liaison.example", "Organisation admin"),  # a member who decides NPU's membership requests
]
DEMO_PASSWORD = "liaison-demo-2026"
