"""What the account pages read."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from app.accounts.models import Role, User


def user_query(q: str = "", role: str = "") -> Select:
    """The admin's list of accounts, searched by name or email and filtered by role."""
    query = select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    return query
