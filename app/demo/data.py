"""The demo network and its loader. `load_demo()` is idempotent: every record is looked up by a
natural key (email, name, acronym, title) before it is created, so running it twice adds nothing.

Times are built relative to app.timeutil.now(), as wall-clock times in each event's own zone, so
upcoming events stay upcoming whenever the demo is loaded.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.demo.assessments import load_assessments
from app.demo.certificates import load_certificates
from app.demo.checkin import CHECKIN_EVENTS, check_in_arrivals
from app.demo.contributions import load_contributions
from app.demo.facilities import load_facilities
from app.demo.learning import load_learning
from app.demo.memberships import load_memberships
from app.demo.travel import TRAVEL_EVENTS, load_travel
from app.directory.empact import seed_empact_themes
from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    RegistrationMode,
    Session,
    SessionKind,
    SessionSpeaker,
)
from app.extensions import db
from app.lessons.models import (
    TLP,
    ActionStatus,
    Addressee,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    LessonTransition,
    RecommendationType,
)
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    Invitation,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.timeutil import local_to_utc, now, to_local

LE, MIN, IO, EU, RES, NGO = (
    OrganisationType.LAW_ENFORCEMENT,
    OrganisationType.MINISTRY,
    OrganisationType.INTERNATIONAL_ORGANISATION,
    OrganisationType.EU_AGENCY,
    OrganisationType.RESEARCH,
    OrganisationType.NGO,
)

# (name, short name, type, country, website)
ORGANISATIONS = [
    ("National Police of Ukraine", "NPU", LE, "UA", "https://www.npu.gov.ua"),
    ("Ministry of Internal Affairs of Ukraine", "MVS", MIN, "UA", "https://mvs.gov.ua"),
    ("State Border Guard Service of Ukraine", "DPSU", LE, "UA", "https://dpsu.gov.ua"),
    ("Office of the Prosecutor General of Ukraine", "OPG", LE, "UA", "https://www.gp.gov.ua"),
    ("General Police Inspectorate of Moldova", "IGP", LE, "MD", "https://politia.md"),
    ("Ministry of Internal Affairs of the Republic of Moldova", "MAI", MIN, "MD", "https://mai.gov.md"),
    ("General Inspectorate of Border Police of Moldova", "IGPF", LE, "MD", "https://border.gov.md"),
    ("Prosecutor's Office for Combating Organised Crime and Special Cases", "PCCOCS", LE, "MD",
     "https://procuratura.md"),
    ("Ministry of Internal Affairs of Georgia", "MIA", MIN, "GE", "https://police.ge"),
    ("Border Police of Georgia", "GBP", LE, "GE", "https://bpg.gov.ge"),
    ("Prosecution Service of Georgia", "PSG", LE, "GE", "https://pog.gov.ge"),
    ("Ministry of Interior of North Macedonia", "MoI MK", MIN, "MK", "https://mvr.gov.mk"),
    ("Public Prosecutor's Office for Organised Crime and Corruption", "JOOKK", LE, "MK", "https://jorm.gov.mk"),
    ("Ministry of Interior of the Republic of Serbia", "MUP RS", MIN, "RS", "https://www.mup.gov.rs"),
    ("Border Police Directorate of Serbia", "UGP", LE, "RS", "https://www.mup.gov.rs"),
    ("Prosecutor's Office for Organised Crime of Serbia", "TOK", LE, "RS", "https://www.tok.gov.rs"),
    ("Hungarian National Police", "ORFK", LE, "HU", "https://www.police.hu"),
    ("National Bureau of Investigation of Hungary", "NNI", LE, "HU", "https://www.police.hu"),
    ("Romanian Police", "IGPR", LE, "RO", "https://www.politiaromana.ro"),
    ("General Inspectorate of Romanian Border Police", "IGPF RO", LE, "RO", "https://www.politiadefrontiera.ro"),
    ("Directorate for Investigating Organised Crime and Terrorism", "DIICOT", LE, "RO", "https://www.diicot.ro"),
    ("Europol", "Europol", EU, "NL", "https://www.europol.europa.eu"),
    ("European Union Agency for Law Enforcement Training", "CEPOL", EU, "HU", "https://www.cepol.europa.eu"),
    ("European Border and Coast Guard Agency", "Frontex", EU, "PL", "https://www.frontex.europa.eu"),
    ("EU Border Assistance Mission to Moldova and Ukraine", "EUBAM", IO, "MD", "https://eubam.org"),
    ("Center for Security Studies", "KEMEA", RES, "GR", "https://kemea.gr"),
    ("Center for the Study of Democracy", "CSD", RES, "BG", "https://csd.eu"),
    ("Global Initiative Against Transnational Organized Crime", "GI-TOC", NGO, "CH", "https://globalinitiative.net"),
    ("La Strada Moldova", "La Strada", NGO, "MD", "https://lastrada.md"),
]

# Free topics beside the EMPACT priorities: (name, description)
FREE_THEMES = [
    ("Open-source intelligence (OSINT)", "Collecting and verifying information from open sources in investigations."),
    ("Cryptocurrency investigations", "Tracing virtual assets, working with exchanges, seizing wallets."),
    ("Joint investigation teams", "Setting up and running JITs with EU and non-EU partners."),
    ("Victim identification and support", "Identifying and protecting victims, in particular of trafficking."),
    ("Train-the-trainer", "Building national training capacity that lasts beyond a project."),
]

# (acronym, title, programme, grant number, start offset in months, duration in months,
#  website, coordinating organisation, description)
PROJECTS = [
    ("CROSSLINK", "Cross-border law-enforcement cooperation against high-risk criminal networks in the "
     "Eastern Partnership", "ISF-Police", "101113742", -18, 36, "https://crosslink-project.eu",
     "Center for Security Studies",
     "Brings police, border guards and prosecutors of Ukraine, Moldova and Georgia together with EU "
     "partners to map and disrupt high-risk criminal networks operating across the eastern border."),
    ("SAFEROUTES", "Disrupting migrant smuggling along the Western Balkan and Eastern routes",
     "Horizon Europe (CL3 — Fighting crime and terrorism)", "101121558", -12, 36,
     "https://saferoutes-project.eu", "Center for the Study of Democracy",
     "Research and practitioner network on smuggling business models, document fraud and online "
     "advertising of facilitation services."),
    ("FIRE-TRACE", "Tracing firearms and explosives from the conflict zone to the EU market",
     "ISF-Police", "101103985", -24, 30, "https://firetrace.eu", "Ministry of Interior of the Republic of Serbia",
     "Joint tracing of seized weapons, ballistic information exchange and training for firearms experts."),
    ("CYBER-EaP", "Capacity building against ransomware and online fraud in the Eastern Partnership",
     "NDICI-Global Europe", "ENI/2023/441-870", -6, 24, "https://cyber-eap.eu",
     "European Union Agency for Law Enforcement Training",
     "Train-the-trainer programme for cybercrime units and prosecutors, with a focus on online fraud "
     "schemes and cryptocurrency tracing."),
    ("TRACE-THB", "Trafficking in human beings: online recruitment, victims and financial flows",
     "ISF-Police", "101145210", 2, 24, "https://trace-thb.eu", "La Strada Moldova",
     "Starts soon: joint work of NGOs and police on online recruitment of victims and the money behind it."),
]

# (email, name, role, organisation short name, position, time zone)
DEMO_PEOPLE = [
    ("admin@liaison.example", "Martin Keller", Role.ADMIN, None, "System administrator", "Europe/Brussels"),
    ("coordinator@liaison.example", "Ana Georgescu", Role.COORDINATOR, "CEPOL", "Network coordinator",
     "Europe/Budapest"),
    ("organiser@liaison.example", "Taras Hrytsenko", Role.ORGANISER, "NPU",
     "Head of unit, International Police Cooperation Department", "Europe/Kyiv"),
    ("member@liaison.example", "Mariam Tsiklauri", Role.MEMBER, "MIA", "Criminal intelligence analyst",
     "Asia/Tbilisi"),
    ("orgadmin@liaison.example", "Serhii Lysenko", Role.MEMBER, "NPU",
     "Contact person for Liaison, International Police Cooperation Department", "Europe/Kyiv"),
]

PEOPLE = [
    ("olena.kovalenko@npu.example.gov.ua", "Olena Kovalenko", "NPU", "Senior inspector, Cyber Police Department"),
    ("andrii.shevchuk@dpsu.example.gov.ua", "Andrii Shevchuk", "DPSU", "Lieutenant colonel, risk analysis"),
    ("iryna.bondarenko@gp.example.gov.ua", "Iryna Bondarenko", "OPG", "Prosecutor, international legal cooperation"),
    ("dmytro.melnyk@mvs.example.gov.ua", "Dmytro Melnyk", "MVS", "Adviser on EU integration"),
    ("oksana.tkachenko@npu.example.gov.ua", "Oksana Tkachenko", "NPU", "Investigator, migration crime unit"),
    ("ion.rusu@politia.example.md", "Ion Rusu", "IGP", "Chief inspector, organised crime"),
    ("natalia.ciobanu@border.example.md", "Natalia Ciobanu", "IGPF", "Head of training"),
    ("vitalie.popa@procuratura.example.md", "Vitalie Popa", "PCCOCS", "Prosecutor"),
    ("elena.munteanu@mai.example.md", "Elena Munteanu", "MAI", "Policy officer, EU affairs"),
    ("giorgi.kapanadze@bpg.example.ge", "Giorgi Kapanadze", "GBP", "Major, border checks"),
    ("tamar.lomidze@pog.example.ge", "Tamar Lomidze", "PSG", "Prosecutor, cybercrime"),
    ("levan.gelashvili@police.example.ge", "Levan Gelashvili", "MIA", "Head of firearms unit"),
    ("aleksandar.petrovski@mvr.example.mk", "Aleksandar Petrovski", "MoI MK", "Inspector, migrant smuggling"),
    ("marija.stojanovska@jorm.example.mk", "Marija Stojanovska", "JOOKK", "Public prosecutor"),
    ("bojan.trajkovski@mvr.example.mk", "Bojan Trajkovski", "MoI MK", "Border police officer"),
    ("milica.jovanovic@mup.example.rs", "Milica Jovanović", "MUP RS", "Analyst, criminal intelligence"),
    ("nikola.petrovic@tok.example.rs", "Nikola Petrović", "TOK", "Deputy prosecutor"),
    ("stefan.markovic@mup.example.rs", "Stefan Marković", "UGP", "Inspector, document fraud"),
    ("zsofia.nagy@nni.example.hu", "Zsófia Nagy", "NNI", "Financial investigator"),
    ("gabor.kovacs@police.example.hu", "Gábor Kovács", "ORFK", "Liaison officer"),
    ("andreea.popescu@politiaromana.example.ro", "Andreea Popescu", "IGPR", "Commissioner, cybercrime"),
    ("mihai.ionescu@politiadefrontiera.example.ro", "Mihai Ionescu", "IGPF RO", "Chief commissioner, risk analysis"),
    ("cristina.dumitrescu@diicot.example.ro", "Cristina Dumitrescu", "DIICOT", "Prosecutor, drug trafficking"),
    ("pieter.devries@europol.example.eu", "Pieter de Vries", "Europol", "Specialist, analysis project on firearms"),
    ("katalin.szabo@cepol.example.eu", "Katalin Szabó", "CEPOL", "Training manager"),
    ("tomasz.nowak@frontex.example.eu", "Tomasz Nowak", "Frontex", "Risk analyst"),
    ("maria.papadopoulou@kemea.example.gr", "Maria Papadopoulou", "KEMEA", "Senior researcher"),
    ("sophie.laurent@globalinitiative.example.net", "Sophie Laurent", "GI-TOC", "Senior analyst, Eastern Europe"),
]

COUNTRY_TIMEZONES = {
    "UA": "Europe/Kyiv", "MD": "Europe/Chisinau", "GE": "Asia/Tbilisi", "MK": "Europe/Skopje",
    "RS": "Europe/Belgrade", "HU": "Europe/Budapest", "RO": "Europe/Bucharest", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "GR": "Europe/Athens", "BG": "Europe/Sofia", "CH": "Europe/Zurich",
}
COUNTRY_LANGUAGES = {"UA": "uk", "MD": "ro", "RO": "ro", "GE": "ka", "MK": "mk", "RS": "sr"}


def _language(email: str, country: str) -> str:
    """The demo logins read English (the footer switches language); the other people their country's."""
    if email in {login for login, _role in DEMO_LOGINS}:
        return "en"
    return COUNTRY_LANGUAGES.get(country, "en")

ORGANISER = "organiser@liaison.example"
COORDINATOR = "coordinator@liaison.example"
MEMBER = "member@liaison.example"

P, C, W, X, R = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)

# Events. "day" is days from today in the event's zone; sessions give (day index, start, end, ...).
# Registrations: (email, status[, role]).
EVENTS = [
    # ---------------------------------------------------------------- past
    dict(
        title="Annual conference: EMPACT and the Eastern Partnership",
        kind=EventKind.CONFERENCE, format=EventFormat.HYBRID, day=-95, days=2, tz="Europe/Bucharest",
        city="Bucharest", country="RO", venue="Palace of the Parliament, Europa Hall",
        address="Strada Izvor 2-4, Bucharest", host="IGPR", online_url="https://meet.example.eu/empact-eap",
        capacity=150, projects=["CROSSLINK", "SAFEROUTES"],
        themes=[("High-risk criminal networks", "2022-2025"), ("Migrant smuggling", "2022-2025")],
        summary="Two days on what EMPACT operational action plans achieved with partners east of the EU.",
        description="The network's yearly gathering: results of the **operational action plans**, "
                    "panels with partner countries and a look ahead to the 2026–2029 cycle.",
        sessions=[
            (0, "09:30", "10:30", "Opening: four years of EMPACT with partner countries", SessionKind.PLENARY,
             "Europa Hall", [("Pieter de Vries", "Europol"), ("ext:Corina Vasile", "Ministry of Internal Affairs of Romania")]),
            (0, "11:00", "12:30", "Panel: high-risk criminal networks across the eastern border", SessionKind.PANEL,
             "Europa Hall", [("ion.rusu@politia.example.md", None), ("olena.kovalenko@npu.example.gov.ua", None)]),
            (0, "12:30", "13:30", "Lunch", SessionKind.BREAK, "Foyer", []),
            (1, "09:30", "12:00", "Workshop groups: lessons from joint action days", SessionKind.WORKSHOP,
             "Rooms B1–B3", [("katalin.szabo@cepol.example.eu", None)]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "olena.kovalenko@npu.example.gov.ua", "ion.rusu@politia.example.md",
            "giorgi.kapanadze@bpg.example.ge", "milica.jovanovic@mup.example.rs",
            "andreea.popescu@politiaromana.example.ro", "zsofia.nagy@nni.example.hu",
            "aleksandar.petrovski@mvr.example.mk", "maria.papadopoulou@kemea.example.gr",
        ]] + [("pieter.devries@europol.example.eu", C, ParticipantRole.SPEAKER),
              ("dmytro.melnyk@mvs.example.gov.ua", X)],
    ),
    dict(
        title="Cross-regional meeting on high-risk criminal networks",
        kind=EventKind.CROSS_REGIONAL_MEETING, format=EventFormat.IN_PERSON, day=-62, days=2,
        tz="Europe/Chisinau", city="Chișinău", country="MD", venue="Ministry of Internal Affairs, Conference Hall",
        address="Stefan cel Mare si Sfant 75, Chișinău", host="MAI", capacity=40,
        registration_mode=RegistrationMode.APPROVAL, projects=["CROSSLINK"],
        themes=[("High-risk criminal networks", "2022-2025"),
                ("Criminal finances, money laundering and asset recovery (horizontal)", "2022-2025")],
        summary="Investigators and prosecutors from Ukraine, Moldova and Georgia compare cases and agree next steps.",
        description="A closed meeting under the CROSSLINK project. Case presentations are **TLP:AMBER**.",
        sessions=[
            (0, "09:00", "10:30", "Threat picture: networks active on the eastern border", SessionKind.PLENARY,
             "Conference Hall", [("ion.rusu@politia.example.md", None)]),
            (0, "11:00", "13:00", "Case presentations (closed)", SessionKind.WORKSHOP, "Conference Hall",
             [("vitalie.popa@procuratura.example.md", None), ("iryna.bondarenko@gp.example.gov.ua", None)]),
            (1, "09:30", "12:00", "Asset recovery and parallel financial investigations", SessionKind.PANEL,
             "Conference Hall", [("zsofia.nagy@nni.example.hu", None), ("ext:Radu Cebotari", "Criminal Assets Recovery Agency of Moldova")]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "olena.kovalenko@npu.example.gov.ua", "iryna.bondarenko@gp.example.gov.ua",
            "ion.rusu@politia.example.md", "vitalie.popa@procuratura.example.md", "tamar.lomidze@pog.example.ge",
            "zsofia.nagy@nni.example.hu", "elena.munteanu@mai.example.md",
        ]] + [("sophie.laurent@globalinitiative.example.net", R)],
    ),
    dict(
        title="Study visit to Europol: analysis projects and SIENA",
        kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, day=-41, days=2, tz="Europe/Amsterdam",
        city="The Hague", country="NL", venue="Europol headquarters", address="Eisenhowerlaan 73, The Hague",
        host="Europol", capacity=15, registration_mode=RegistrationMode.INVITATION,
        projects=["CROSSLINK", "FIRE-TRACE"],
        themes=[("Firearms trafficking", "2022-2025"), ("Joint investigation teams", None)],
        summary="How Europol's analysis projects work and how partners exchange information through SIENA.",
        sessions=[
            (0, "09:30", "11:00", "Welcome and security briefing", SessionKind.PLENARY, "Visitor centre",
             [("pieter.devries@europol.example.eu", None)]),
            (0, "11:30", "13:00", "Analysis project on firearms: from seizure to network", SessionKind.PLENARY,
             "Room 2.14", [("pieter.devries@europol.example.eu", None)]),
            (1, "09:30", "11:30", "Visit of the 24/7 Operational Centre", SessionKind.SITE_VISIT, "Operational Centre",
             [("ext:Joost Bakker", "Europol Operational Centre")]),
        ],
        registrations=[(e, C) for e in [
            "levan.gelashvili@police.example.ge", "stefan.markovic@mup.example.rs", "ion.rusu@politia.example.md",
            "andrii.shevchuk@dpsu.example.gov.ua", "bojan.trajkovski@mvr.example.mk",
        ]] + [(ORGANISER, C, ParticipantRole.ORGANISER)],
    ),
    dict(
        title="Workshop on firearms tracing and ballistic information exchange",
        kind=EventKind.WORKSHOP, format=EventFormat.HYBRID, day=-26, days=1, tz="Europe/Belgrade",
        city="Belgrade", country="RS", venue="Police Directorate, Training Centre", address="Kneza Miloša 101, Belgrade",
        host="MUP RS", online_url="https://meet.example.eu/fire-trace", capacity=30, projects=["FIRE-TRACE"],
        themes=[("Firearms trafficking", "2022-2025"), ("Firearms and explosives crime", "2026-2029")],
        summary="Tracing requests that get answers: practical exchange between firearms focal points.",
        sessions=[
            (0, "09:00", "10:30", "Tracing requests: what a good one contains", SessionKind.WORKSHOP, "Hall A",
             [("levan.gelashvili@police.example.ge", None)]),
            (0, "11:00", "12:30", "Ballistic data: sharing across borders", SessionKind.PANEL, "Hall A",
             [("pieter.devries@europol.example.eu", None), ("milica.jovanovic@mup.example.rs", None)]),
            (0, "14:00", "16:00", "Exercise: tracing a converted pistol", SessionKind.WORKSHOP, "Lab 2",
             [("ext:Dragan Ilić", "Forensic Centre of the Serbian Police")]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "levan.gelashvili@police.example.ge", "milica.jovanovic@mup.example.rs",
            "stefan.markovic@mup.example.rs", "aleksandar.petrovski@mvr.example.mk", "gabor.kovacs@police.example.hu",
            "andreea.popescu@politiaromana.example.ro",
        ]] + [(ORGANISER, C, ParticipantRole.ORGANISER), ("nikola.petrovic@tok.example.rs", X)],
    ),
    dict(
        title="Training: cryptocurrency tracing for financial investigators",
        kind=EventKind.TRAINING, format=EventFormat.IN_PERSON, day=-16, days=3, tz="Europe/Budapest",
        city="Budapest", country="HU", venue="CEPOL, Training Centre", address="Ó utca 27, Budapest", host="CEPOL",
        capacity=16, projects=["CYBER-EaP"],
        themes=[("Cryptocurrency investigations", None),
                ("Criminal finances, money laundering and asset recovery (horizontal)", "2022-2025")],
        summary="Three days, hands-on: follow virtual assets, work with exchanges, prepare a seizure.",
        sessions=[
            (0, "09:00", "12:30", "Blockchain basics for investigators", SessionKind.TRAINING, "Training room 1",
             [("zsofia.nagy@nni.example.hu", None)], 16, True),
            (1, "09:00", "12:30", "Tracing tools in practice", SessionKind.TRAINING, "Computer lab",
             [("ext:Bence Tóth", "National Tax and Customs Administration of Hungary")], 8, True),
            (2, "09:00", "12:00", "From trace to seizure: legal steps", SessionKind.TRAINING, "Training room 1",
             [("cristina.dumitrescu@diicot.example.ro", None)]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "olena.kovalenko@npu.example.gov.ua", "vitalie.popa@procuratura.example.md",
            "tamar.lomidze@pog.example.ge", "nikola.petrovic@tok.example.rs", "andreea.popescu@politiaromana.example.ro",
            "marija.stojanovska@jorm.example.mk",
        ]] + [("zsofia.nagy@nni.example.hu", C, ParticipantRole.TRAINER),
              ("katalin.szabo@cepol.example.eu", C, ParticipantRole.ORGANISER)],
    ),
    dict(
        title="Webinar: online fraud schemes targeting refugees",
        kind=EventKind.WEBINAR, format=EventFormat.ONLINE, day=-8, days=0, hours=(14, 0, 15, 30), tz="Europe/Kyiv",
        online_url="https://meet.example.eu/fraud-refugees", host="NPU", projects=["CYBER-EaP"],
        themes=[("Fraud, economic and financial crimes: online fraud schemes", "2022-2025"),
                ("Victim identification and support", None)],
        summary="Fake housing offers, job ads and aid scams: what the cyber police see and how to warn people.",
        sessions=[
            (0, "14:00", "14:45", "The schemes, with examples", SessionKind.PLENARY, None,
             [("olena.kovalenko@npu.example.gov.ua", None)]),
            (0, "14:45", "15:30", "Questions and answers", SessionKind.PANEL, None,
             [("andreea.popescu@politiaromana.example.ro", None), ("sophie.laurent@globalinitiative.example.net", None)]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "oksana.tkachenko@npu.example.gov.ua", "elena.munteanu@mai.example.md",
            "natalia.ciobanu@border.example.md", "sophie.laurent@globalinitiative.example.net",
            "gabor.kovacs@police.example.hu", "maria.papadopoulou@kemea.example.gr",
        ]],
    ),
    # ---------------------------------------------------------------- upcoming
    dict(
        title="Webinar: synthetic drugs and precursor diversion",
        kind=EventKind.WEBINAR, format=EventFormat.ONLINE, day=6, days=0, hours=(11, 0, 12, 30), tz="Europe/Kyiv",
        online_url="https://meet.example.eu/synthetic-drugs", host="NPU",
        themes=[("Drugs trafficking: synthetic drugs and new psychoactive substances", "2022-2025"),
                ("Drug trafficking", "2026-2029")],
        summary="Clandestine labs, precursor routes and the first seizures of nitazenes in the region.",
        sessions=[
            (0, "11:00", "11:45", "Labs and precursors: the regional picture", SessionKind.PLENARY, None,
             [("cristina.dumitrescu@diicot.example.ro", None)]),
            (0, "11:45", "12:30", "Discussion", SessionKind.PANEL, None, [("ext:Dr Petra Horváth", "EUDA")]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "oksana.tkachenko@npu.example.gov.ua", "ion.rusu@politia.example.md",
            "giorgi.kapanadze@bpg.example.ge", "mihai.ionescu@politiadefrontiera.example.ro",
        ]] + [("dmytro.melnyk@mvs.example.gov.ua", X)],
    ),
    dict(
        title="Workshop: joint investigation teams with non-EU partners",
        kind=EventKind.WORKSHOP, format=EventFormat.HYBRID, day=13, days=1, tz="Asia/Tbilisi",
        city="Tbilisi", country="GE", venue="MIA Academy", address="Vazha-Pshavela Ave 11, Tbilisi", host="MIA",
        online_url="https://meet.example.eu/jit-tbilisi", capacity=10, projects=["CROSSLINK"],
        themes=[("Joint investigation teams", None), ("Most threatening criminal networks and individuals", "2026-2029")],
        summary="Setting up a JIT with EU partners: agreements, funding, evidence and what went wrong before.",
        sessions=[
            (0, "10:00", "11:30", "JIT agreements step by step", SessionKind.WORKSHOP, "Auditorium",
             [("tamar.lomidze@pog.example.ge", None), ("ext:Hélène Martin", "Eurojust")]),
            (0, "12:00", "13:00", "Lunch", SessionKind.BREAK, "Canteen", []),
            (0, "13:00", "15:00", "Case study: a JIT on a trafficking network", SessionKind.WORKSHOP, "Auditorium",
             [("iryna.bondarenko@gp.example.gov.ua", None)]),
            (0, "15:30", "16:30", "Networking with the prosecutors' network", SessionKind.NETWORKING, "Terrace", []),
        ],
        # Full: ten seats taken, two people on the waiting list.
        registrations=[(e, C) for e in [
            MEMBER, "iryna.bondarenko@gp.example.gov.ua", "vitalie.popa@procuratura.example.md",
            "ion.rusu@politia.example.md", "marija.stojanovska@jorm.example.mk", "nikola.petrovic@tok.example.rs",
            "cristina.dumitrescu@diicot.example.ro", "olena.kovalenko@npu.example.gov.ua",
            "levan.gelashvili@police.example.ge", "zsofia.nagy@nni.example.hu",
        ]] + [("tamar.lomidze@pog.example.ge", C, ParticipantRole.SPEAKER),
              ("andreea.popescu@politiaromana.example.ro", W), ("gabor.kovacs@police.example.hu", W)],
    ),
    dict(
        title="Cross-regional meeting on migrant smuggling routes",
        kind=EventKind.CROSS_REGIONAL_MEETING, format=EventFormat.IN_PERSON, day=20, days=2, tz="Europe/Skopje",
        city="Skopje", country="MK", venue="Hotel Continental, Conference Centre", address="Aleksandar Makedonski bb, Skopje",
        host="MoI MK", capacity=45, registration_mode=RegistrationMode.APPROVAL, projects=["SAFEROUTES"],
        themes=[("Migrant smuggling", "2022-2025"), ("Migrant smuggling and trafficking in human beings", "2026-2029"),
                ("Document fraud (horizontal)", "2022-2025")],
        summary="Border police and prosecutors along the Western Balkan route compare smuggling business models.",
        sessions=[
            (0, "09:00", "10:00", "Opening and route overview", SessionKind.PLENARY, "Hall Vardar",
             [("tomasz.nowak@frontex.example.eu", None)]),
            (0, "10:30", "12:30", "Online advertising of smuggling services", SessionKind.PANEL, "Hall Vardar",
             [("maria.papadopoulou@kemea.example.gr", None), ("aleksandar.petrovski@mvr.example.mk", None)]),
            (1, "09:00", "11:00", "Document fraud at the border: hands-on", SessionKind.WORKSHOP, "Room Ohrid",
             [("stefan.markovic@mup.example.rs", None)], 20, True),
            (1, "11:30", "15:00", "Visit to the Tabanovce border crossing", SessionKind.SITE_VISIT, "Bus from the hotel",
             [("bojan.trajkovski@mvr.example.mk", None)]),
        ],
        registrations=[
            # The member is confirmed here so the demo member can propose a topic (call for contributions).
            (MEMBER, C), ("aleksandar.petrovski@mvr.example.mk", C), ("bojan.trajkovski@mvr.example.mk", C),
            ("stefan.markovic@mup.example.rs", C, ParticipantRole.TRAINER), ("milica.jovanovic@mup.example.rs", C),
            ("mihai.ionescu@politiadefrontiera.example.ro", C), ("andrii.shevchuk@dpsu.example.gov.ua", P),
            ("giorgi.kapanadze@bpg.example.ge", P), ("natalia.ciobanu@border.example.md", C),
            ("maria.papadopoulou@kemea.example.gr", C, ParticipantRole.SPEAKER),
            ("tomasz.nowak@frontex.example.eu", C, ParticipantRole.SPEAKER), ("sophie.laurent@globalinitiative.example.net", R),
        ],
        signups={"Document fraud at the border: hands-on": [
            "aleksandar.petrovski@mvr.example.mk", "milica.jovanovic@mup.example.rs", "natalia.ciobanu@border.example.md"]},
    ),
    dict(
        title="Training of trainers: OSINT for border police",
        kind=EventKind.TRAINING, format=EventFormat.IN_PERSON, day=27, days=3, tz="Europe/Bucharest",
        city="Oradea", country="RO", venue="Border Police Training School", address="Strada Borșului 40, Oradea",
        host="IGPF RO", capacity=20, projects=["SAFEROUTES", "CYBER-EaP"],
        themes=[("Open-source intelligence (OSINT)", None), ("Train-the-trainer", None)],
        summary="Future national trainers learn OSINT methods and how to teach them at their own academies.",
        sessions=[
            (0, "09:00", "12:30", "OSINT foundations and legal limits", SessionKind.TRAINING, "Classroom 1",
             [("mihai.ionescu@politiadefrontiera.example.ro", None)]),
            (1, "09:00", "12:30", "Social media investigations (lab)", SessionKind.TRAINING, "Computer lab",
             [("ext:Alina Stan", "Romanian Police Academy")], 4, True),
            (1, "14:00", "17:00", "Geolocation and image verification (lab)", SessionKind.TRAINING, "Computer lab",
             [("ext:Alina Stan", "Romanian Police Academy")], 8, True),
            (2, "09:00", "12:00", "Teaching OSINT: designing your own course", SessionKind.WORKSHOP, "Classroom 1",
             [("katalin.szabo@cepol.example.eu", None)]),
        ],
        registrations=[(e, C) for e in [
            MEMBER, "andrii.shevchuk@dpsu.example.gov.ua", "natalia.ciobanu@border.example.md",
            "giorgi.kapanadze@bpg.example.ge", "bojan.trajkovski@mvr.example.mk", "stefan.markovic@mup.example.rs",
        ]] + [("katalin.szabo@cepol.example.eu", C, ParticipantRole.TRAINER), ("oksana.tkachenko@npu.example.gov.ua", X)],
        # Four places in the social media lab: the fifth person waits.
        signups={"Social media investigations (lab)": [
            MEMBER, "andrii.shevchuk@dpsu.example.gov.ua", "natalia.ciobanu@border.example.md",
            "giorgi.kapanadze@bpg.example.ge", "bojan.trajkovski@mvr.example.mk"],
            "Geolocation and image verification (lab)": ["stefan.markovic@mup.example.rs", MEMBER]},
    ),
    dict(
        title="Study visit to Frontex: risk analysis and EUROSUR",
        kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, day=34, days=2, tz="Europe/Warsaw",
        city="Warsaw", country="PL", venue="Frontex headquarters", address="Plac Europejski 6, Warsaw", host="Frontex",
        capacity=12, registration_mode=RegistrationMode.INVITATION, projects=["SAFEROUTES"],
        themes=[("Migrant smuggling and trafficking in human beings", "2026-2029")],
        summary="Risk analysis products, the EUROSUR situational picture and cooperation with non-EU partners.",
        sessions=[
            (0, "10:00", "12:00", "Risk analysis at Frontex", SessionKind.PLENARY, "Auditorium",
             [("tomasz.nowak@frontex.example.eu", None)]),
            (0, "13:30", "15:30", "Visit of the Frontex Situation Centre", SessionKind.SITE_VISIT, "Situation Centre",
             [("ext:Katarzyna Wiśniewska", "Frontex Situation Centre")]),
            (1, "09:30", "12:00", "Working arrangements with partner countries", SessionKind.PANEL, "Room 3",
             [("tomasz.nowak@frontex.example.eu", None)]),
        ],
        registrations=[(e, C) for e in [
            "andrii.shevchuk@dpsu.example.gov.ua", "natalia.ciobanu@border.example.md", "giorgi.kapanadze@bpg.example.ge",
        ]] + [(ORGANISER, C, ParticipantRole.ORGANISER)],
        invitations=[("bojan.trajkovski@mvr.example.mk", "Bojan Trajkovski"), ("lidia.russu@border.example.md", "Lidia Russu")],
    ),
    dict(
        title="EMPACT 2026–2029: launching the new cycle with partner countries",
        kind=EventKind.CONFERENCE, format=EventFormat.HYBRID, day=58, days=2, tz="Europe/Brussels",
        city="Brussels", country="BE", venue="Residence Palace", address="Rue de la Loi 155, Brussels", host="Europol",
        online_url="https://meet.example.eu/empact-2026", capacity=200, projects=["CROSSLINK", "SAFEROUTES", "FIRE-TRACE"],
        themes=[("Most threatening criminal networks and individuals", "2026-2029"),
                ("Online crime: cyber-attacks, online child sexual exploitation and online fraud", "2026-2029")],
        summary="What the seven EU crime priorities of 2026–2029 mean for cooperation with partner countries.",
        sessions=[
            (0, "09:30", "10:30", "The new EU crime priorities", SessionKind.PLENARY, "Main hall",
             [("ext:Anna Schmidt", "European Commission, DG HOME")]),
            (0, "11:00", "12:30", "Partner countries in the operational action plans", SessionKind.PANEL, "Main hall",
             [("dmytro.melnyk@mvs.example.gov.ua", None), ("elena.munteanu@mai.example.md", None)]),
            (1, "09:30", "12:00", "Project fair: EU-funded projects present their results", SessionKind.NETWORKING,
             "Atrium", []),
        ],
        registrations=[(e, C) for e in [
            "dmytro.melnyk@mvs.example.gov.ua", "elena.munteanu@mai.example.md", "maria.papadopoulou@kemea.example.gr",
            "sophie.laurent@globalinitiative.example.net", "katalin.szabo@cepol.example.eu",
        ]] + [(MEMBER, P)],
    ),
    dict(
        title="Workshop on environmental crime and waste trafficking",
        kind=EventKind.WORKSHOP, format=EventFormat.IN_PERSON, status=EventStatus.DRAFT, day=85, days=1,
        tz="Europe/Chisinau", city="Chișinău", country="MD", venue="To be confirmed", host="IGP", capacity=25,
        themes=[("Environmental crime", "2026-2029")],
        summary="Draft: waste shipments across the Moldovan-Ukrainian border and the networks behind them.",
        sessions=[(0, "09:30", "12:30", "Waste trafficking routes", SessionKind.WORKSHOP, None, [])],
        registrations=[],
    ),
    dict(
        title="Study visit to the port of Constanța",
        kind=EventKind.STUDY_VISIT, format=EventFormat.IN_PERSON, status=EventStatus.CANCELLED, day=42, days=1,
        tz="Europe/Bucharest", city="Constanța", country="RO", venue="Port of Constanța, Border Police sector",
        host="IGPF RO", capacity=15, themes=[("Drug trafficking", "2026-2029")],
        summary="Container controls and cocaine concealment methods.",
        cancellation_reason="The port authority could not host visitors in this period; a new date will follow.",
        sessions=[(0, "09:00", "13:00", "Container terminal visit", SessionKind.SITE_VISIT, "Pier II", [])],
        registrations=[("mihai.ionescu@politiadefrontiera.example.ro", X), (MEMBER, X)],
    ),
]

# Lessons on past events: (event title, kind, status, tlp, title, observation, analysis, recommendation,
# recommendation type, addressed to, themes, author email)
LESSONS = [
    ("Cross-regional meeting on high-risk criminal networks", LessonKind.LESSON, LessonStatus.ACTIONED, TLP.AMBER,
     "Requests for financial information took longer than the cases allowed",
     "Three of the five cases presented stalled for months while waiting for bank information from another country.",
     "Requests went through diplomatic channels; nobody knew the direct contact points of the financial "
     "intelligence units.",
     "Publish a list of FIU and asset recovery office contact points for the partner countries and train "
     "investigators to use the Egmont channel through their FIU.",
     RecommendationType.OPERATIONAL, Addressee.NATIONAL_AUTHORITIES,
     [("Criminal finances, money laundering and asset recovery (horizontal)", "2022-2025")], "ion.rusu@politia.example.md"),
    ("Study visit to Europol: analysis projects and SIENA", LessonKind.GOOD_PRACTICE, LessonStatus.VALIDATED, TLP.GREEN,
     "A single national SIENA desk answers partners within a day",
     "Participants from Serbia described a single SIENA desk, staffed around the clock, that routes every "
     "incoming message.", "One desk avoids messages waiting in personal inboxes and keeps a record.",
     "Partner countries setting up SIENA access should start with one staffed desk before opening more accounts.",
     RecommendationType.OPERATIONAL, Addressee.NATIONAL_AUTHORITIES, [("Joint investigation teams", None)],
     "stefan.markovic@mup.example.rs"),
    ("Workshop on firearms tracing and ballistic information exchange", LessonKind.OBSERVATION, LessonStatus.SUBMITTED,
     TLP.CLEAR, "Tracing requests often lack the marking photographs",
     "Most requests discussed had no photographs of all markings, so the receiving country could not trace the weapon.",
     None, "Add a checklist of required photographs to the tracing request template.",
     RecommendationType.STANDARDISATION, Addressee.PRACTITIONERS, [("Firearms trafficking", "2022-2025")], MEMBER),
    ("Training: cryptocurrency tracing for financial investigators", LessonKind.LESSON, LessonStatus.VALIDATED,
     TLP.GREEN, "Investigators need licences for tracing tools before the training, not after",
     "Half of the participants could not repeat the exercises at home because their unit had no tool licence.",
     "Training without the tools back home does not change practice.",
     "Projects funding training should fund at least one tool licence per trained unit for a year.",
     RecommendationType.CAPABILITY_GAP, Addressee.PROJECTS, [("Cryptocurrency investigations", None)],
     "olena.kovalenko@npu.example.gov.ua"),
    ("Webinar: online fraud schemes targeting refugees", LessonKind.OBSERVATION, LessonStatus.DRAFT, TLP.CLEAR,
     "Warnings reach refugees faster through their own channels",
     "Messages shared in refugee community channels were read far more than police press releases.", None, None,
     None, None, [("Fraud, economic and financial crimes: online fraud schemes", "2022-2025")], MEMBER),
    ("Annual conference: EMPACT and the Eastern Partnership", LessonKind.LESSON, LessonStatus.REJECTED, TLP.CLEAR,
     "Conference sessions should be shorter",
     "Several participants found the plenary sessions too long.", None, "Keep plenary sessions under one hour.",
     RecommendationType.TRAINING, Addressee.PRACTITIONERS, [], "giorgi.kapanadze@bpg.example.ge"),
    ("Cross-regional meeting on high-risk criminal networks", LessonKind.OBSERVATION, LessonStatus.SUBMITTED,
     TLP.AMBER_STRICT, "Names of informants appeared in a shared presentation",
     "A slide shown to the whole room contained details that could identify an informant.",
     "Presenters were not told which marking applied to the meeting.",
     "Brief presenters on TLP markings before closed sessions and review slides in advance.",
     RecommendationType.OPERATIONAL, Addressee.PRACTITIONERS, [], "vitalie.popa@procuratura.example.md"),
    ("Study visit to Europol: analysis projects and SIENA", LessonKind.LESSON, LessonStatus.VALIDATED, TLP.RED,
     "Operational contact list shared during the visit",
     "A list of operational contact points was exchanged between two delegations.", None,
     "Keep such lists only in the secure channel.", RecommendationType.OPERATIONAL, Addressee.NATIONAL_AUTHORITIES,
     [], "levan.gelashvili@police.example.ge"),
]

FEEDBACK = [
    # (event title, email, overall, relevance, organisation, anonymous, what worked, what to improve)
    ("Cross-regional meeting on high-risk criminal networks", MEMBER, 5, 5, 4, False,
     "Real cases, real contacts. I left with three people to call.", "More time for bilateral meetings."),
    ("Cross-regional meeting on high-risk criminal networks", "ion.rusu@politia.example.md", 4, 5, 4, False,
     "The asset recovery panel.", "Interpretation into Romanian was missing on day two."),
    ("Cross-regional meeting on high-risk criminal networks", "tamar.lomidze@pog.example.ge", 4, 4, 5, True,
     "Well organised.", None),
    ("Training: cryptocurrency tracing for financial investigators", MEMBER, 5, 5, 5, False,
     "The lab exercises were excellent.", "A follow-up session in six months."),
    ("Training: cryptocurrency tracing for financial investigators", "nikola.petrovic@tok.example.rs", 4, 5, 3, True,
     None, "The computer lab was too small."),
    ("Workshop on firearms tracing and ballistic information exchange", "levan.gelashvili@police.example.ge", 5, 5, 4,
     False, "The practical exercise.", None),
    ("Webinar: online fraud schemes targeting refugees", "elena.munteanu@mai.example.md", 3, 4, 4, False,
     "Clear examples.", "The connection dropped twice."),
]


# ------------------------------------------------------------------------------------------- loader

def load_demo(if_empty: bool = False) -> dict[str, int] | None:
    """Load the demo network; returns what was added, or None when `if_empty` and users exist."""
    if if_empty and db.session.scalar(select(func.count(User.id))):
        return None
    loader = _Loader()
    loader.run()
    db.session.commit()
    return dict(loader.added)


class _Loader:
    def __init__(self):
        self.added: Counter = Counter()
        self.today = now()
        self._password_hash: str | None = None

    def run(self) -> None:
        self.added["themes"] += seed_empact_themes()
        self.organisations = dict(zip([item[1] for item in ORGANISATIONS], self._organisations(), strict=True))
        self.themes = self._themes()
        self.projects = self._projects()
        self.users = self._users()
        db.session.flush()
        self.added["memberships"] += load_memberships(self.organisations, self.users, self.today, self._password())
        for spec in EVENTS + CHECKIN_EVENTS:
            self._event(spec)
        db.session.flush()
        check_in_arrivals(self.users, ORGANISER, self.today)
        for spec in EVENTS + TRAVEL_EVENTS:
            self._event(spec)
        db.session.flush()
        self.added["travel plans"] += load_travel(self.users, lambda event: to_local(event.starts_at, event.timezone).date())
        self._feedback()
        self._lessons()
        self.added["facilities"] += load_facilities(self.organisations, self.themes)
        self.added["certificates"] += load_certificates(self.users, self.organisations, ORGANISER)
        self.added["calls for contributions"] += load_contributions(self.users, self.today)
        self.added["test answers"] += load_learning(self.users, self.users[ORGANISER], self.today)
        self.added["needs assessments"] += load_assessments(self.users, self.projects, self.today)

    # --- directory -------------------------------------------------------------------------
    def _organisations(self):
        existing = {(o.name, o.country): o for o in db.session.scalars(select(Organisation))}
        result = []
        for name, short, type_, country, website in ORGANISATIONS:
            org = existing.get((name, country))
            if org is None:
                org = Organisation(name=name, short_name=short, type=type_, country=country, website=website)
                db.session.add(org)
                self.added["organisations"] += 1
            result.append(org)
        db.session.flush()
        return result

    def _themes(self) -> dict:
        existing = {(t.name, t.empact_cycle): t for t in db.session.scalars(select(Theme))}
        for name, description in FREE_THEMES:
            if (name, None) not in existing:
                theme = Theme(name=name, description=description)
                db.session.add(theme)
                existing[(name, None)] = theme
                self.added["themes"] += 1
        db.session.flush()
        return existing

    def _projects(self) -> dict:
        existing = {p.acronym: p for p in db.session.scalars(select(Project))}
        by_name = {o.name: o for o in self.organisations.values()}
        this_month = self.today.date().replace(day=1)
        for acronym, title, programme, grant, start, months, website, coordinator, description in PROJECTS:
            if acronym in existing:
                continue
            starts_on = _add_months(this_month, start)
            project = Project(
                acronym=acronym, title=title, programme=programme, grant_number=grant, starts_on=starts_on,
                ends_on=_add_months(starts_on, months) - timedelta(days=1), website=website,
                description=description, coordinator_organisation=by_name[coordinator],
            )
            db.session.add(project)
            existing[acronym] = project
            self.added["projects"] += 1
        return existing

    # --- people ----------------------------------------------------------------------------
    def _password(self) -> str:
        if self._password_hash is None:
            self._password_hash = hash_password(DEMO_PASSWORD)
        return self._password_hash

    def _users(self) -> dict:
        existing = {u.email: u for u in db.session.scalars(select(User))}
        people = [(e, n, r, o, p, tz) for e, n, r, o, p, tz in DEMO_PEOPLE]
        for email, name, short, position in PEOPLE:
            country = self.organisations[short].country
            people.append((email, name, Role.MEMBER, short, position, COUNTRY_TIMEZONES.get(country, "Europe/Brussels")))
        assert {e for e, *_ in DEMO_PEOPLE} == {e for e, _ in DEMO_LOGINS}
        for email, name, role, short, position, tz in people:
            if email in existing:
                continue
            org = self.organisations.get(short) if short else None
            country = org.country if org else "BE"
            user = User(
                email=email, name=name, role=role, organisation=org, position=position, country=country,
                timezone=tz, language=_language(email, country), password_hash=self._password(),
                email_confirmed_at=self.today,
            )
            db.session.add(user)
            existing[email] = user
            self.added["users"] += 1
        return existing

    # --- events ----------------------------------------------------------------------------
    def _at(self, tz: str, day: int, clock: str) -> datetime:
        local_today = to_local(self.today, tz).date()
        hour, minute = (int(part) for part in clock.split(":"))
        return local_to_utc(datetime.combine(local_today + timedelta(days=day), time(hour, minute)), tz)

    def _event(self, spec: dict) -> None:
        title = spec["title"]
        if db.session.scalar(select(Event.id).where(Event.title == title)) is not None:
            return
        tz, day = spec["tz"], spec["day"]
        if "hours" in spec:
            h1, m1, h2, m2 = spec["hours"]
            starts_at, ends_at = self._at(tz, day, f"{h1}:{m1}"), self._at(tz, day, f"{h2}:{m2}")
        else:
            starts_at = self._at(tz, day, "09:00")
            ends_at = self._at(tz, day + spec["days"] - 1, "17:30")
        status = spec.get("status", EventStatus.PUBLISHED)
        organiser = self.users[ORGANISER]
        created = min(starts_at, self.today) - timedelta(days=45)
        event = Event(
            kind=spec["kind"], format=spec["format"], status=status, title=title, summary=spec.get("summary"),
            description=spec.get("description") or spec.get("summary"), starts_at=starts_at, ends_at=ends_at,
            timezone=tz, venue=spec.get("venue"), address=spec.get("address"), city=spec.get("city"),
            country=spec.get("country"), online_url=spec.get("online_url"),
            host_organisation=self.organisations.get(spec.get("host")), created_by=organiser,
            capacity=spec.get("capacity"), registration_mode=spec.get("registration_mode", RegistrationMode.OPEN),
            registration_opens_at=created, registration_closes_at=starts_at - timedelta(days=2),
            published_at=created + timedelta(days=1) if status != EventStatus.DRAFT else None,
            cancellation_reason=spec.get("cancellation_reason"),
            cancelled_at=self.today - timedelta(days=3) if status == EventStatus.CANCELLED else None,
            sequence=1 if status == EventStatus.CANCELLED else 0,
        )
        event.created_at = created
        if ends_at <= self.today:
            # What the scheduler would have done back then, so it does not act on old events now.
            event.registration_closed_notified_at = event.registration_closes_at
            event.post_event_notified_at = ends_at + timedelta(hours=1)
        event.organisers = [organiser, self.users[COORDINATOR]] if spec["kind"] == EventKind.CONFERENCE else [organiser]
        event.projects = [self.projects[a] for a in spec.get("projects", [])]
        event.themes = [self.themes[key] for key in spec.get("themes", [])]
        db.session.add(event)
        self.added["events"] += 1

        sessions = {}
        for position, item in enumerate(spec["sessions"]):
            day_index, start, end, session_title, kind, room, speakers, *rest = item
            capacity, has_signup = (rest + [None, False])[:2]
            session = Session(
                event=event, title=session_title, kind=kind, position=position, room=room,
                starts_at=self._at(tz, day + day_index, start), ends_at=self._at(tz, day + day_index, end),
                capacity=capacity, has_signup=has_signup,
                learning_objectives=("Participants can apply the method on their own cases."
                                     if kind == SessionKind.TRAINING else None),
            )
            for index, (who, organisation) in enumerate(speakers):
                role = "trainer" if kind == SessionKind.TRAINING else "speaker"
                if who.startswith("ext:"):
                    session.speakers.append(SessionSpeaker(
                        external_name=who[4:], external_organisation=organisation, role=role, position=index))
                elif "@" in who:
                    session.speakers.append(SessionSpeaker(user=self.users[who], role=role, position=index))
                else:  # a name of an existing user
                    user = next(u for u in self.users.values() if u.name == who)
                    session.speakers.append(SessionSpeaker(user=user, role=role, position=index))
            db.session.add(session)
            sessions[session_title] = session
            self.added["sessions"] += 1
        db.session.flush()

        is_past = ends_at <= self.today
        registrations = {}
        for index, item in enumerate(spec.get("registrations", [])):
            email, status_value, *rest = item
            role = rest[0] if rest else ParticipantRole.PARTICIPANT
            registered_at = created + timedelta(days=2, hours=index * 5)
            registration = Registration(
                event=event, user=self.users[email], status=status_value, role=role, registered_at=registered_at,
                consented_at=registered_at,
                dietary_needs="Vegetarian" if index % 5 == 1 else None,
                needs_visa_letter=(index % 6 == 2 and spec.get("country") in ("NL", "BE", "PL", "RO", "HU")),
            )
            if status_value == C:
                registration.confirmed_at = registered_at + timedelta(hours=3)
            elif status_value == W:
                registration.waitlisted_at = registered_at
            elif status_value == X:
                registration.cancelled_at = registered_at + timedelta(days=4)
            elif status_value == R:
                registration.rejected_at = registered_at + timedelta(days=1)
                registration.rejection_reason = "The meeting is reserved for law-enforcement authorities."
            # Past events: everyone confirmed came, except the last participant (a no-show).
            if is_past and status_value == C:
                registration.last_reminder_days = 1
                registration.feedback_requested_at = ends_at + timedelta(hours=1)
            if is_past and status_value == C and index != len(spec["registrations"]) - 1:
                registration.checked_in_at = starts_at + timedelta(minutes=20 + index)
                for offset in range(max(spec.get("days", 1), 1)):
                    day_on = (to_local(starts_at, tz) + timedelta(days=offset)).date()
                    registration.attendance_days.append(AttendanceDay(
                        day_on=day_on, checked_in_at=starts_at + timedelta(days=offset, minutes=15 + index),
                        checked_in_by_id=self.users[ORGANISER].id,
                    ))
            db.session.add(registration)
            registrations[email] = registration
            self.added["registrations"] += 1
        db.session.flush()

        for session_title, emails in spec.get("signups", {}).items():
            session = sessions[session_title]
            for index, email in enumerate(emails):
                taken = session.capacity is not None and index >= session.capacity
                at = created + timedelta(days=3, hours=index)
                db.session.add(SessionSignup(
                    session=session, user=self.users[email],
                    status=SessionSignupStatus.WAITLISTED if taken else SessionSignupStatus.CONFIRMED,
                    confirmed_at=None if taken else at, waitlisted_at=at if taken else None,
                ))
                self.added["session signups"] += 1

        for email, name in spec.get("invitations", []):
            user = self.users.get(email)
            db.session.add(Invitation(
                event=event, email=email, name=name, token=f"demo-{event.uid[:12]}-{len(email)}-{email.split('@')[0]}"[:64],
                invited_by_id=organiser.id, user_id=user.id if user else None,
            ))
            self.added["invitations"] += 1

    # --- after events ----------------------------------------------------------------------
    def _event_by_title(self, title: str) -> Event:
        return db.session.scalar(select(Event).where(Event.title == title))

    def _feedback(self) -> None:
        for title, email, overall, relevance, organisation, anonymous, worked, improve in FEEDBACK:
            event = self._event_by_title(title)
            registration = db.session.scalar(select(Registration).where(
                Registration.event_id == event.id, Registration.user_id == self.users[email].id))
            if registration is None or db.session.scalar(
                    select(Feedback.id).where(Feedback.registration_id == registration.id)) is not None:
                continue
            db.session.add(Feedback(
                event_id=event.id, registration_id=registration.id, is_anonymous=anonymous, overall=overall,
                relevance=relevance, organisation=organisation, what_worked=worked, what_to_improve=improve,
            ))
            self.added["feedback"] += 1

    def _lessons(self) -> None:
        coordinator = self.users[COORDINATOR]
        for (title, kind, status, tlp, lesson_title, observation, analysis, recommendation, recommendation_type,
             addressee, theme_keys, author_email) in LESSONS:
            event = self._event_by_title(title)
            if db.session.scalar(select(Lesson.id).where(
                    Lesson.event_id == event.id, Lesson.title == lesson_title)) is not None:
                continue
            author = self.users[author_email]
            written = event.ends_at + timedelta(days=1)
            lesson = Lesson(
                event=event, kind=kind, status=status, tlp=tlp, title=lesson_title, observation=observation,
                analysis=analysis, recommendation=recommendation, recommendation_type=recommendation_type,
                addressed_to=addressee, author=author, themes=[self.themes[key] for key in theme_keys],
                created_at=min(written, now()), updated_at=min(written, now()),
            )
            if kind == LessonKind.GOOD_PRACTICE:
                lesson.problem_addressed = "Messages from partners waited days in personal inboxes."
                lesson.how_it_works = "One desk, staffed 24/7, receives and routes every SIENA message."
                lesson.evidence = "Average first answer time fell from four days to under one."
                lesson.replication_needs = "Three to five trained staff and a written routing procedure."
            steps = [(None, LessonStatus.DRAFT, author, None)]
            if status != LessonStatus.DRAFT:
                lesson.submitted_at = written + timedelta(days=1)
                steps.append((LessonStatus.DRAFT, LessonStatus.SUBMITTED, author, None))
            if status in (LessonStatus.VALIDATED, LessonStatus.ACTIONED):
                lesson.validator, lesson.validated_at = coordinator, written + timedelta(days=5)
                steps.append((LessonStatus.SUBMITTED, LessonStatus.VALIDATED, coordinator, "Clear and well argued."))
            if status == LessonStatus.ACTIONED:
                steps.append((LessonStatus.VALIDATED, LessonStatus.ACTIONED, coordinator, "Follow-up action assigned."))
            if status == LessonStatus.REJECTED:
                lesson.rejection_reason = "A preference about the format, not a lesson for the network."
                steps.append((LessonStatus.SUBMITTED, LessonStatus.REJECTED, coordinator, lesson.rejection_reason))
            for index, (before, after, actor, comment) in enumerate(steps):
                lesson.transitions.append(LessonTransition(
                    actor=actor, from_status=before.value if before else None, to_status=after.value,
                    comment=comment, at=written + timedelta(days=index * 2),
                ))
            db.session.add(lesson)
            self.added["lessons"] += 1
            if status == LessonStatus.ACTIONED:
                db.session.add(FollowUpAction(
                    lesson=lesson, event=event,
                    title="Compile FIU and asset recovery office contact points for UA, MD and GE",
                    description="Collect, check and share the list with every participant of the meeting.",
                    owner_user=self.users["elena.munteanu@mai.example.md"],
                    owner_organisation=self.organisations["MAI"], due_on=self.today.date() + timedelta(days=21),
                    status=ActionStatus.IN_PROGRESS, created_by_id=coordinator.id,
                ))
                self.added["follow-up actions"] += 1
        # An action straight from an event, already done.
        title = "Send the tracing request checklist to all firearms focal points"
        if db.session.scalar(select(FollowUpAction.id).where(FollowUpAction.title == title)) is None:
            event = self._event_by_title("Workshop on firearms tracing and ballistic information exchange")
            db.session.add(FollowUpAction(
                event=event, title=title, owner_user=self.users[ORGANISER], due_on=self.today.date() - timedelta(days=5),
                status=ActionStatus.DONE, completed_at=self.today - timedelta(days=7),
                created_by_id=self.users[ORGANISER].id,
            ))
            self.added["follow-up actions"] += 1


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)
