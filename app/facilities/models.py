"""A facility: a place where study visits and trainings can take place, hosted by an organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, link_table, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.directory.models import Organisation, Theme


class FacilityKind(LabelledEnum):
    TRAINING_CENTRE = "training_centre"
    LABORATORY = "laboratory"
    TEST_BED = "test_bed"
    DEMONSTRATION_SITE = "demonstration_site"
    BORDER_CROSSING_POINT = "border_crossing_point"
    FORENSIC_LAB = "forensic_lab"
    SHOOTING_RANGE = "shooting_range"
    CYBER_RANGE = "cyber_range"
    OTHER = "other"

    __labels__ = {
        "training_centre": _l("Training centre"), "laboratory": _l("Laboratory"), "test_bed": _l("Test bed"),
        "demonstration_site": _l("Demonstration site"), "border_crossing_point": _l("Border crossing point"),
        "forensic_lab": _l("Forensic lab"), "shooting_range": _l("Shooting range"),
        "cyber_range": _l("Cyber range"), "other": _l("Other"),
    }


class FacilityStatus(LabelledEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"

    __labels__ = {"active": _l("Active"), "archived": _l("Archived")}


facility_themes = link_table("facility_themes", ("facility_id", "facilities.id"), ("theme_id", "themes.id"))


class Facility(TimestampMixin, db.Model):
    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        Index("ix_facilities_status_country", "status", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FacilityKind] = mapped_column(str_enum(FacilityKind, "facility_kind"), index=True)
    status: Mapped[FacilityStatus] = mapped_column(
        str_enum(FacilityStatus, "facility_status"), default=FacilityStatus.ACTIVE
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None]
    # Spoken languages, as comma-separated ISO 639-1 codes (app.facilities.languages names them).
    languages: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str | None] = mapped_column(Text)
    capabilities: Mapped[str | None] = mapped_column(Text)  # equipment and capabilities
    accessibility: Mapped[str | None] = mapped_column(Text)
    availability: Mapped[str | None] = mapped_column(Text)
    # The contact: for signed-in members only (app.facilities.access.may_see_contact).
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=facility_themes, order_by="Theme.name")

    @property
    def is_active(self) -> bool:
        return self.status == FacilityStatus.ACTIVE

    @property
    def language_codes(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Facility {self.id} {self.name!r}>"
