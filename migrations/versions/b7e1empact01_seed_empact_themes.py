"""Seed the EMPACT priorities of the 2022-2025 and 2026-2029 policy cycles as themes.

A data migration: the list is copied here (not imported from the app) so this revision stays the
same whatever the application code becomes. Idempotent: existing (name, cycle) pairs are kept.

Revision ID: b7e1empact01
Revises: c3f7lessonfts
Create Date: 2026-11-21
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "b7e1empact01"
down_revision = "c3f7lessonfts"
branch_labels = None
depends_on = None

PRIORITIES = [
    ('2022-2025', 'High-risk criminal networks',
     'Identify and disrupt high-risk criminal networks active in the EU, especially those using corruption, violence, firearms and money laundering through parallel underground financial systems.'),
    ('2022-2025', 'Cyber-attacks',
     'Target the offenders orchestrating cyber-attacks, in particular those offering specialised criminal services online (crime-as-a-service).'),
    ('2022-2025', 'Trafficking in human beings',
     'Disrupt networks trafficking human beings, with a focus on those exploiting minors, using or threatening violence against victims and their families, and recruiting and advertising victims online.'),
    ('2022-2025', 'Child sexual exploitation',
     'Combat child sexual abuse online and offline, including the production and dissemination of child sexual abuse material and online child sexual exploitation.'),
    ('2022-2025', 'Migrant smuggling',
     'Fight the networks smuggling migrants, in particular those providing facilitation services along the main migratory routes, including document fraud and secondary movements.'),
    ('2022-2025', 'Drugs trafficking: cannabis, cocaine and heroin',
     'Target the networks trafficking and distributing cannabis, cocaine and heroin into and within the EU.'),
    ('2022-2025', 'Drugs trafficking: synthetic drugs and new psychoactive substances',
     'Target the production, trafficking and distribution of synthetic drugs and new psychoactive substances (NPS), including the diversion of precursors.'),
    ('2022-2025', 'Fraud, economic and financial crimes: online fraud schemes',
     'Fight online fraud schemes such as investment fraud, CEO fraud, phishing and non-cash payment fraud.'),
    ('2022-2025', 'Fraud, economic and financial crimes: excise fraud',
     'Fight the networks committing excise fraud, notably on tobacco, alcohol and fuel.'),
    ('2022-2025', 'Fraud, economic and financial crimes: MTIC fraud',
     'Fight missing trader intra-community (MTIC) VAT fraud and the networks behind it.'),
    ('2022-2025', 'Fraud, economic and financial crimes: intellectual property crime and counterfeiting',
     'Fight intellectual property crime and the counterfeiting of goods and currencies.'),
    ('2022-2025', 'Organised property crime',
     'Fight organised burglaries, thefts and robberies, vehicle crime and the illegal trade in cultural goods.'),
    ('2022-2025', 'Environmental crime',
     'Disrupt networks involved in waste and wildlife crime, in particular those able to infiltrate legal businesses or set up their own companies to commit their crimes.'),
    ('2022-2025', 'Firearms trafficking',
     'Target the illicit trafficking, distribution and use of firearms, including weapons converted, reactivated or assembled from parts.'),
    ('2022-2025', 'Criminal finances, money laundering and asset recovery (horizontal)',
     'A common horizontal strategic goal: follow the money in every priority, fight money laundering and recover criminal assets.'),
    ('2022-2025', 'Document fraud (horizontal)',
     'A common horizontal strategic goal: fight the production and provision of fraudulent documents that enable most other crimes.'),
    ('2026-2029', 'Most threatening criminal networks and individuals',
     'Identify and disrupt the most threatening criminal networks and individual criminals, including their use of violence, corruption, infiltration of the legal economy and recruitment of young people.'),
    ('2026-2029', 'Online crime: cyber-attacks, online child sexual exploitation and online fraud',
     'Tackle the fastest-growing crimes in the online sphere: cyber-attacks, online child sexual exploitation and online fraud schemes.'),
    ('2026-2029', 'Drug trafficking',
     'Fight the production, trafficking and distribution of cannabis, cocaine, heroin, synthetic drugs and new psychoactive substances.'),
    ('2026-2029', 'Migrant smuggling and trafficking in human beings',
     'Tackle the networks smuggling migrants and trafficking human beings, including those recruiting and advertising online.'),
    ('2026-2029', 'Firearms and explosives crime',
     'Target the trafficking of firearms and explosives and their criminal use.'),
    ('2026-2029', 'Environmental crime',
     'Disrupt networks involved in environmental crimes such as waste trafficking and wildlife crime.'),
    ('2026-2029', 'Economic and financial crime',
     'Fight economic and financial crimes such as VAT (MTIC) fraud, excise fraud and intellectual property crime, and the money laundering that sustains organised crime.'),
]

themes = sa.table(
    "themes",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("empact_cycle", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade():
    connection = op.get_bind()
    existing = set(connection.execute(sa.select(themes.c.name, themes.c.empact_cycle)).all())
    instant = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        instant = instant.replace(tzinfo=None)
    rows = [
        {"name": name, "description": description, "empact_cycle": cycle,
          "created_at": instant, "updated_at": instant}
        for cycle, name, description in PRIORITIES
        if (name, cycle) not in existing
    ]
    if rows:
        op.bulk_insert(themes, rows)


def downgrade():
    connection = op.get_bind()
    for cycle, name, _description in PRIORITIES:
        connection.execute(
            themes.delete().where(themes.c.name == name).where(themes.c.empact_cycle == cycle)
        )
