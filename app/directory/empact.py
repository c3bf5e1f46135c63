"""The EU crime priorities (EMPACT) of the 2022–2025 and 2026–2029 policy cycles, seeded as themes.

Sources: Council conclusions of 26 May 2021 (cycle 2022–2025: ten priorities plus the horizontal
ones) and Council (JHA) conclusions of 13 June 2025 (cycle 2026–2029: seven priorities).
EMPACT_PRIORITIES is a plain list so a data migration can copy it as is.
"""

from __future__ import annotations

from sqlalchemy import select

from app.directory.models import Theme
from app.extensions import db

CYCLES = ("2022-2025", "2026-2029")

# (cycle, name, description)
EMPACT_PRIORITIES: list[tuple[str, str, str]] = [
    # --- 2022-2025 (Council conclusions, 26 May 2021) ---
    ("2022-2025", "High-risk criminal networks",
     "Identify and disrupt high-risk criminal networks active in the EU, especially those using corruption, "
     "violence, firearms and money laundering through parallel underground financial systems."),
    ("2022-2025", "Cyber-attacks",
     "Target the offenders orchestrating cyber-attacks, in particular those offering specialised criminal "
     "services online (crime-as-a-service)."),
    ("2022-2025", "Trafficking in human beings",
     "Disrupt networks trafficking human beings, with a focus on those exploiting minors, using or threatening "
     "violence against victims and their families, and recruiting and advertising victims online."),
    ("2022-2025", "Child sexual exploitation",
     "Combat child sexual abuse online and offline, including the production and dissemination of child "
     "sexual abuse material and online child sexual exploitation."),
    ("2022-2025", "Migrant smuggling",
     "Fight the networks smuggling migrants, in particular those providing facilitation services along the "
     "main migratory routes, including document fraud and secondary movements."),
    ("2022-2025", "Drugs trafficking: cannabis, cocaine and heroin",
     "Target the networks trafficking and distributing cannabis, cocaine and heroin into and within the EU."),
    ("2022-2025", "Drugs trafficking: synthetic drugs and new psychoactive substances",
     "Target the production, trafficking and distribution of synthetic drugs and new psychoactive "
     "substances (NPS), including the diversion of precursors."),
    ("2022-2025", "Fraud, economic and financial crimes: online fraud schemes",
     "Fight online fraud schemes such as investment fraud, CEO fraud, phishing and non-cash payment fraud."),
    ("2022-2025", "Fraud, economic and financial crimes: excise fraud",
     "Fight the networks committing excise fraud, notably on tobacco, alcohol and fuel."),
    ("2022-2025", "Fraud, economic and financial crimes: MTIC fraud",
     "Fight missing trader intra-community (MTIC) VAT fraud and the networks behind it."),
    ("2022-2025", "Fraud, economic and financial crimes: intellectual property crime and counterfeiting",
     "Fight intellectual property crime and the counterfeiting of goods and currencies."),
    ("2022-2025", "Organised property crime",
     "Fight organised burglaries, thefts and robberies, vehicle crime and the illegal trade in cultural goods."),
    ("2022-2025", "Environmental crime",
     "Disrupt networks involved in waste and wildlife crime, in particular those able to infiltrate legal "
     "businesses or set up their own companies to commit their crimes."),
    ("2022-2025", "Firearms trafficking",
     "Target the illicit trafficking, distribution and use of firearms, including weapons converted, "
     "reactivated or assembled from parts."),
    ("2022-2025", "Criminal finances, money laundering and asset recovery (horizontal)",
     "A common horizontal strategic goal: follow the money in every priority, fight money laundering and "
     "recover criminal assets."),
    ("2022-2025", "Document fraud (horizontal)",
     "A common horizontal strategic goal: fight the production and provision of fraudulent documents that "
     "enable most other crimes."),
    # --- 2026-2029 (Council conclusions, 13 June 2025) ---
    ("2026-2029", "Most threatening criminal networks and individuals",
     "Identify and disrupt the most threatening criminal networks and individual criminals, including their "
     "use of violence, corruption, infiltration of the legal economy and recruitment of young people."),
    ("2026-2029", "Online crime: cyber-attacks, online child sexual exploitation and online fraud",
     "Tackle the fastest-growing crimes in the online sphere: cyber-attacks, online child sexual "
     "exploitation and online fraud schemes."),
    ("2026-2029", "Drug trafficking",
     "Fight the production, trafficking and distribution of cannabis, cocaine, heroin, synthetic drugs and "
     "new psychoactive substances."),
    ("2026-2029", "Migrant smuggling and trafficking in human beings",
     "Tackle the networks smuggling migrants and trafficking human beings, including those recruiting and "
     "advertising online."),
    ("2026-2029", "Firearms and explosives crime",
     "Target the trafficking of firearms and explosives and their criminal use."),
    ("2026-2029", "Environmental crime",
     "Disrupt networks involved in environmental crimes such as waste trafficking and wildlife crime."),
    ("2026-2029", "Economic and financial crime",
     "Fight economic and financial crimes such as VAT (MTIC) fraud, excise fraud and intellectual property "
     "crime, and the money laundering that sustains organised crime."),
]


def seed_empact_themes() -> int:
    """Create the EMPACT priorities that are missing (keyed on name and cycle). Returns how many were
    added. Safe to run any number of times; the caller commits."""
    existing = {
        (cycle, name)
        for cycle, name in db.session.execute(
            select(Theme.empact_cycle, Theme.name).where(Theme.empact_cycle.in_(CYCLES))
        )
    }
    added = 0
    for cycle, name, description in EMPACT_PRIORITIES:
        if (cycle, name) in existing:
            continue
        db.session.add(Theme(name=name, description=description, empact_cycle=cycle))
        existing.add((cycle, name))
        added += 1
    db.session.flush()
    return added
