"""Organisations, EU-funded projects and thematic tags."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, str_enum
from app.extensions import db


class OrganisationType(LabelledEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    MINISTRY = "ministry"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    EU_AGENCY = "eu_agency"
    RESEARCH = "research"
    INDUSTRY = "industry"
    NGO = "ngo"
    OTHER = "other"

    __labels__ = {
        "law_enforcement": _l("Law enforcement"), "ministry": _l("Ministry"),
        "international_organisation": _l("International organisation"), "eu_agency": _l("EU agency"),
        "research": _l("Research"), "industry": _l("Industry"), "ngo": _l("NGO"), "other": _l("Other"),
    }


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))
    type: Mapped[OrganisationType] = mapped_column(
        str_enum(OrganisationType, "organisation_type"), default=OrganisationType.OTHER, index=True
    )
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    website: Mapped[str | None] = mapped_column(String(300))

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(db.Model):
    """An email domain of an organisation: a person whose verified email is on it becomes a member
    without waiting for approval. A domain belongs to at most one organisation."""

    __tablename__ = "organisation_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    organisation: Mapped[Organisation] = relationship()


class Project(TimestampMixin, db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    programme: Mapped[str | None] = mapped_column(String(120))
    grant_number: Mapped[str | None] = mapped_column(String(60))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    coordinator_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )

    coordinator_organisation: Mapped[Organisation | None] = relationship()

    def __str__(self) -> str:
        return self.acronym


class Theme(TimestampMixin, db.Model):
    """A thematic tag. EMPACT priorities carry their policy cycle (e.g. "2022-2025")."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("name", "empact_cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    empact_cycle: Mapped[str | None] = mapped_column(String(9), index=True)

    @property
    def is_empact(self) -> bool:
        return self.empact_cycle is not None

    @property
    def label(self) -> str:
        return f"{self.name} (EMPACT {self.empact_cycle})" if self.empact_cycle else self.name

    def __str__(self) -> str:
        return self.label
