"""Demo facilities (issue 22): training centres, a border crossing point, labs and ranges in the partner
countries, Hungary and Romania, with their contact persons, and the demo events held at them. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from app.directory.models import Organisation, Theme
from app.events.models import Event
from app.extensions import db
from app.facilities.models import Facility, FacilityKind

K = FacilityKind
# (name, kind, host short name, city, address, capacity, languages, themes (name, cycle), capabilities,
#  accessibility, availability, contact (name, email, phone), events held there (titles))
FACILITIES = [
    ("Border crossing point Porubne–Siret, training sector", K.BORDER_CROSSING_POINT, "DPSU", "Porubne",
     "E85, Chernivtsi region", 25, "uk,ro,en",
     [("Migrant smuggling and trafficking in human beings", "2026-2029")],
     "Live lanes for passenger cars and lorries; X-ray vehicle scanner; document examination booth with "
     "video spectral comparator; joint Ukrainian–Romanian contact point.",
     "Ground floor training room; the lanes are reached on foot over uneven ground.",
     "Visits Tuesday to Thursday outside holiday peaks; ask six weeks ahead (security clearance of visitors).",
     ("Andrii Shevchuk", "andrii.shevchuk@dpsu.example.gov.ua", "+380 372 000 114"),
     []),
    ("Expertise Forensic Bureau, Tbilisi", K.FORENSIC_LAB, "MIA", "Tbilisi", "Vazha-Pshavela Ave 11", 20,
     "ka,en,ru", [("Firearms and explosives crime", "2026-2029"), ("Cryptocurrency investigations", None)],
     "Ballistics laboratory with an IBIS station; DNA and fingerprint laboratories; digital forensics unit "
     "with mobile-phone extraction kits.",
     "Lift to every floor; hearing loop in the lecture room.",
     "Groups of up to 20 on weekdays; laboratories can be visited in groups of 6.",
     ("Levan Gelashvili", "levan.gelashvili@police.example.ge", "+995 32 200 0000"),
     ["Workshop: joint investigation teams with non-EU partners"]),
    ("Cyber range of the Romanian Police, Bucharest", K.CYBER_RANGE, "IGPR", "Bucharest",
     "Calea 13 Septembrie 1-5", 24, "ro,en",
     [("Online crime: cyber-attacks, online child sexual exploitation and online fraud", "2026-2029"),
      ("Cryptocurrency investigations", None)],
     "24 workstations on an isolated network; ransomware and incident-response scenarios; blockchain "
     "analytics licences for exercises.",
     "Step-free entrance and accessible toilets.",
     "Exercises of one to three days; booked in quarterly windows.",
     ("Andreea Popescu", "andreea.popescu@politiaromana.example.ro", "+40 21 000 0000"),
     ["Annual conference: EMPACT and the Eastern Partnership"]),
    ("Border Police Training School, Oradea", K.TRAINING_CENTRE, "IGPF RO", "Oradea", "Strada Borșului 40",
     60, "ro,hu,en", [("Open-source intelligence (OSINT)", None), ("Train-the-trainer", None)],
     "Two classrooms with 30 laptops each; dog-handling yard; dormitory for 40 trainees.",
     "Classrooms on the ground floor; dormitory without lift.",
     "Courses from September to June.",
     ("Mihai Ionescu", "mihai.ionescu@politiadefrontiera.example.ro", "+40 259 000 000"),
     ["Training of trainers: OSINT for border police"]),
    ("Police Training Centre Kneza Miloša, Belgrade", K.SHOOTING_RANGE, "MUP RS", "Belgrade",
     "Kneza Miloša 101", 30, "sr,en", [("Firearms and explosives crime", "2026-2029")],
     "Indoor 25 m range with 10 lanes; firearms reference collection; conversion-kit identification lab.",
     "Range gallery reached by stairs only.",
     "Range time on Mondays and Fridays.",
     ("Stefan Marković", "stefan.markovic@mup.example.rs", "+381 11 000 0000"),
     ["Workshop on firearms tracing and ballistic information exchange"]),
    ("CEPOL training centre, Budapest", K.TRAINING_CENTRE, "CEPOL", "Budapest", "Ó utca 27", 40,
     "en,hu,fr", [("Economic and financial crime", "2026-2029"), ("Cryptocurrency investigations", None)],
     "Lecture hall with interpretation booths; e-learning studio; rooms for workshops of 15.",
     "Fully step-free; interpretation for hearing-impaired participants on request.",
     "Booked through CEPOL's annual training plan.",
     ("Katalin Szabó", "katalin.szabo@cepol.example.eu", "+36 1 000 0000"),
     ["Training: cryptocurrency tracing for financial investigators"]),
    ("Cyber Police training centre, Kyiv", K.TRAINING_CENTRE, "NPU", "Kyiv", "Akademika Bohomoltsia 10", 32,
     "uk,en", [("Online crime: cyber-attacks, online child sexual exploitation and online fraud", "2026-2029"),
               ("Open-source intelligence (OSINT)", None)],
     "Computer classroom for 16; mobile forensics kits; a shelter in the basement used as a second classroom.",
     "Lift to the classroom floor; air-raid alerts interrupt sessions, the shelter is step-free.",
     "Visits confirmed two weeks ahead, depending on the security situation.",
     ("Serhii Lysenko", "orgadmin@liaison.example", "+380 44 000 0000"),
     []),
    ("Migration crime demonstration site, Chișinău", K.DEMONSTRATION_SITE, "IGPF", "Chișinău",
     "Strada Columna 118", 15, "ro,ru,en", [("Migrant smuggling and trafficking in human beings", "2026-2029")],
     "Mock-up of a border check at Chișinău airport; false-document demonstration sets.",
     "Step-free.",
     "On request, two weeks ahead.",
     ("Natalia Ciobanu", "natalia.ciobanu@border.example.md", "+373 22 000 000"),
     ["Workshop on environmental crime and waste trafficking"]),
]


def load_facilities(organisations: dict[str, Organisation], themes: dict) -> int:
    """Add the facilities that are missing and link the demo events held at them; returns how many were added."""
    existing = {f.name: f for f in db.session.scalars(select(Facility))}
    added = 0
    for (name, kind, host, city, address, capacity, languages, theme_keys, capabilities, accessibility,
         availability, contact, event_titles) in FACILITIES:
        facility = existing.get(name)
        if facility is None:
            organisation = organisations[host]
            facility = Facility(
                name=name, kind=kind, organisation_id=organisation.id, country=organisation.country, city=city,
                address=address, capacity=capacity, languages=languages, capabilities=capabilities,
                accessibility=accessibility, availability=availability, contact_name=contact[0],
                contact_email=contact[1], contact_phone=contact[2],
            )
            facility.themes = [t for t in (themes.get(key) for key in theme_keys) if isinstance(t, Theme)]
            db.session.add(facility)
            db.session.flush()
            added += 1
        for event in db.session.scalars(select(Event).where(Event.title.in_(event_titles),
                                                            Event.facility_id.is_(None))):
            event.facility_id = facility.id
    return added
