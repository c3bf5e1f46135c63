"""Results on a known sample: per question, per country and organisation type; the page, CSV, XLSX
and PDF agree; only the assessment's owners get them, free-text answers included."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.accounts.models import Role
from app.assessments import answering, building
from app.directory.models import OrganisationType
from app.extensions import db
from app.reports import assessment_results
from app.timeutil import now
from tests.assessments import world as sample

SECRET = "Our forensic lab has no licence for mixers analysis"


@pytest.fixture
def w(app, make):
    w = sample.build()
    natalia = make.user(name="Natalia", organisation=w.md_ministry)
    building.add_recipients(w.owner, w.assessment, user_ids=[natalia.id])

    def answer(user, submit=True, **values):
        respondent = answering.respondent_for(w.assessment, user)
        cleaned = answering.save_answers(respondent, w.assessment, values, submit=submit)
        assert not cleaned.errors

    answer(w.olena, **{f"q{w.scale.id}": ["5"], f"q{w.single.id}": ["Online"],
                       f"q{w.multiple.id}": ["Chainalysis", "Maltego"], f"q{w.text.id}": [SECRET],
                       f"q{w.themes.id}": [str(w.cyber.id)]})
    answer(w.andrii, **{f"q{w.scale.id}": ["2"], f"q{w.single.id}": ["In person"], f"q{w.multiple.id}": ["Maltego"],
                        f"q{w.themes.id}": [str(w.cyber.id), str(w.osint.id)]})
    answer(natalia, **{f"q{w.scale.id}": ["4"], f"q{w.single.id}": ["Online"], f"q{w.multiple.id}": ["None"]})
    answer(w.ion, submit=False, **{f"q{w.scale.id}": ["1"]})  # a draft: not in the results
    w.natalia = natalia
    return w


def _built(w):
    from app.assessments import queries

    return assessment_results.build(w.assessment, list(w.assessment.questions), queries.results_input(w.assessment),
                                    4, queries.theme_names(), "For Ukraine", now())


def test_figures_on_a_known_sample(w):
    report = _built(w).report
    assert report.tables["summary"].rows == [["Invited", 4], ["Submitted", 3], ["Response rate (%)", 75.0]]
    scale = report.tables[f"q{w.scale.id}"]
    assert scale.rows == [["1", 0], ["2", 1], ["3", 0], ["4", 1], ["5", 1]]
    assert scale.note == "Average: 3.67"
    assert report.tables[f"q{w.scale.id}_country"].rows == [["Moldova", 1, 4.0], ["Ukraine", 2, 3.5]]
    assert report.tables[f"q{w.scale.id}_type"].rows == [["Law enforcement", 2, 3.5], ["Ministry", 1, 4.0]]
    assert report.tables[f"q{w.single.id}"].rows == [["In person", 1, 33.3], ["Online", 2, 66.7], ["Hybrid", 0, 0.0]]
    assert report.tables[f"q{w.multiple.id}"].rows == [["Chainalysis", 1, 33.3], ["Maltego", 2, 66.7],
                                                       ["None", 1, 33.3]]
    assert report.tables[f"q{w.multiple.id}_country"].rows == [["Moldova", 0, 0, 1], ["Ukraine", 1, 2, 0]]
    assert report.tables[f"q{w.themes.id}"].rows == [["Cybercrime (EMPACT 2022-2025)", 2, 100.0], ["OSINT", 1, 50.0]]
    assert report.tables[f"q{w.text.id}"].rows == [["Ukraine", OrganisationType.LAW_ENFORCEMENT.label, SECRET]]


def test_owner_sees_charts_and_exports_read_back(w, login):
    client = login(w.owner)
    page = client.get(f"/reports/assessments/{w.assessment.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-chart="q{w.scale.id}_country"' in html and SECRET in html
    assert 'data-figure="Response rate (%)">75.0' in html

    rows = list(csv.reader(io.StringIO(client.get(f"/reports/assessments/{w.assessment.id}.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Response rate (%)", "75.0"] in rows and ["Moldova", "1", "4.0"] in rows

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/assessments/{w.assessment.id}.xlsx").data))
    figures = {row[0]: row[1] for row in workbook["Key figures"].iter_rows(min_row=2, values_only=True)}
    assert figures == {"Invited": 4, "Submitted": 3, "Response rate (%)": 75}
    values = [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    assert ("Ukraine", 2, 3.5) in values

    pdf = client.get(f"/reports/assessments/{w.assessment.id}.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "ILECU training needs 2026" in text and "75.0" in text and "Chainalysis" in text


def test_only_owners_see_results(w, login, make):
    coordinator = make.user(Role.COORDINATOR)
    for user, expected in ((coordinator, 200), (w.organiser, 404), (w.olena, 404), (w.outsider, 404)):
        client = login(user)
        for suffix in ("", ".csv", ".pdf"):
            response = client.get(f"/reports/assessments/{w.assessment.id}{suffix}")
            assert response.status_code == expected, (user.name, suffix)
            if expected == 404:
                assert SECRET.encode() not in response.data
    db.session.rollback()
