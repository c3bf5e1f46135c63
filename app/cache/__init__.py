"""The application's one cache (fragments.py, on Flask-Caching), the change stamps its entries are
keyed on (stamps.py: a counter per table, moved in the committing transaction), and the check that
each entry declares every table its build reads (dependencies.py).
"""
