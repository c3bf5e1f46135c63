"""The mixed benchmark's arithmetic and its signed sessions, without a server (the figures come from
`python -m bench.mixed`, never from a test)."""

from __future__ import annotations

import random

from flask import Flask, session

from app.cache.timing import header_value
from bench.mixed_people import Person, forge_cookie, role_counts, serializer, session_template
from bench.mixed_stats import KindStats, Recorder, Zipf, parse_server_timing


def test_zipf_ranks_are_chosen_in_proportion_to_one_over_their_rank():
    zipf = Zipf(list("abcdefghij"), s=1.0)
    harmonic = sum(1 / k for k in range(1, 11))
    assert abs(zipf.probability(0) - 1 / harmonic) < 1e-9
    assert abs(sum(zipf.probability(i) for i in range(10)) - 1) < 1e-9
    rng = random.Random(3)
    counts = {item: 0 for item in "abcdefghij"}
    for _ in range(20000):
        counts[zipf.choose(rng)] += 1
    assert abs(counts["a"] / 20000 - 1 / harmonic) < 0.015
    assert abs(counts["b"] / counts["a"] - 0.5) < 0.05
    assert counts["a"] > counts["c"] > counts["j"] > 0


def test_server_timing_is_read_back_as_the_app_writes_it():
    parsed = parse_server_timing(header_value(0.01234, 0.003, 4, 3, 1))
    assert parsed["app"] == {"dur": "12.34"}
    assert parsed["db"] == {"dur": "3.00", "desc": "4 statements"}
    assert parsed["cache"] == {"desc": "miss"}
    assert parse_server_timing(header_value(0.001, 0, 0, 2, 0))["cache"] == {"desc": "hit"}
    assert parse_server_timing(header_value(0.001, 0, 0, 0, 0))["cache"] == {"desc": "none"}
    assert parse_server_timing(None) == {}


def test_statistics_count_bad_statuses_cache_hits_and_the_database_share():
    stats = KindStats()
    for ms, status, hits, misses in ((10, 200, 2, 0), (20, 304, 1, 0), (30, 200, 1, 1), (40, 500, 0, 0)):
        stats.add(ms / 1000, status, parse_server_timing(header_value(ms / 2000, ms / 8000, 1, hits, misses)))
    stats.add(5.0, "ConnectionResetError", None)
    summary = stats.summary(seconds=2.0)
    assert summary["requests"] == 5 and summary["rps"] == 2.5
    assert summary["bad"] == 2  # the 500 and the connection reset; 304 is a good answer
    assert summary["cache_hit_rate"] == round(2 / 3, 3)  # the request that asked nothing is not counted
    assert summary["lookup_hit_rate"] == 0.8
    assert summary["db_share"] == 0.25
    assert summary["p50_ms"] == 30.0 and summary["p99_ms"] == 5000.0
    recorder = Recorder()
    recorder.merge({"a": stats})
    recorder.merge({"a": stats, "b": KindStats()})
    assert recorder.report(1.0)["overall"]["requests"] == 10
    named = KindStats()
    named.add(0.01, 200, parse_server_timing(header_value(0.01, 0, 0, 1, 1, ["events.seats:h", "lessons.box:m"])))
    named.add(0.01, 200, parse_server_timing(header_value(0.01, 0, 0, 0, 1, ["lessons.box:m"])))
    recorder.merge({"c": named})
    assert recorder.report(1.0)["cache_entries"] == {
        "lessons.box": {"found": 0, "built": 2, "hit_rate": 0.0},
        "events.seats": {"found": 1, "built": 0, "hit_rate": 1.0}}


def test_role_counts_follow_the_dataset_proportions():
    assert role_counts(2000) == {"member": 1950, "organiser": 40, "coordinator": 10}
    assert sum(role_counts(300).values()) == 300


def test_a_forged_session_is_the_one_flask_signs_with_the_key_and_another_key_rejects_it():
    app = Flask(__name__)
    app.secret_key = "k" * 32

    @app.get("/who")
    def who():
        return session.get("_user_id", "nobody")

    with app.test_request_context():
        real = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": "1:0:abc", "_fresh": True, "_id": "x", "csrf_token": "c"})
    signer = serializer("k" * 32)
    template = session_template(signer, real)
    forged = forge_cookie(signer, template, Person(7, "p@example.org", "member", 3, "tok"))
    client = app.test_client()
    client.set_cookie("session", forged)
    user_id = client.get("/who").get_data(as_text=True)
    assert user_id.startswith("7:3:") and len(user_id) > 10
    assert session_template(signer, forged)["_id"] == "x"
    other = app.test_client()
    other.set_cookie("session", forge_cookie(serializer("z" * 32), template, Person(7, "p", "member", 3, "t")))
    assert other.get("/who").get_data(as_text=True) == "nobody"


def test_forms_keep_textarea_text_and_every_selected_option_as_a_browser_sends_them():
    from bench.loadgen import parse_forms

    form, = parse_forms('<form method="post"><textarea name="d">\nFirst &amp; second</textarea>'
                        '<select name="s" multiple><option value="1" selected>a<option value="2">b'
                        '<option value="3" selected>c</select><select name="k"><option value="a">A'
                        '<option value="b" selected>B</select><select name="none" multiple>'
                        '<option value="9">z</select></form>')
    assert form.fields == [("d", "First & second"), ("s", "1"), ("s", "3"), ("k", "b")]


def test_the_report_states_each_target_with_its_figure_and_the_cpu_used_between_snapshots():
    from bench import mixed_cpu, mixed_report

    stats = KindStats()
    for ms in (20, 40, 300):
        stats.add(ms / 1000, 200, parse_server_timing(header_value(ms / 2000, 0.001, 2, 1, 0)))
    recorder = Recorder()
    recorder.merge({"event_page": stats})
    run = {"label": "this", "mode": "on", "seconds": 3.0, "rss_mb": {1: 120.0}, "checks": None,
           "ceiling": {"before": {"rps": 10.0}, "after": {"rps": 14.0}}, **recorder.report(3.0),
           "load": {"before": 1.0, "during": {"min": 1, "mean": 1.5, "max": 2}, "after": 1.0}}
    found = mixed_report.targets(run)
    assert found["p95 < 100 ms"].startswith("**FAIL**") and "300" in found["p95 < 100 ms"]
    assert found["every kind's p95 < 250 ms"] == "**FAIL** (worst: event_page 300.0 ms)"
    assert found["≥ 1/4 of the ceiling"] == "**FAIL** (8%)"  # 1 req/s against a ceiling of 12
    assert found["worker RSS < 150 MB"] == "PASS (120.0 MB)"
    text = mixed_report.markdown({"started": "x", "database": "liaison_bench",
                                  "machine": {"nproc": 2, "cpu": "c", "database": "PostgreSQL"}}, [run])
    assert "| event_page | 3 |" in text and "1.5 / 2" in text
    assert mixed_cpu.used({"app workers": {1: 1.0, 2: 5.0}}, {"app workers": {1: 1.5, 3: 9.0}}) == {"app workers": 0.5}


def test_the_share_of_the_ceiling_counts_every_reading_between_slices_too():
    from bench import mixed_report

    stats = KindStats()
    for _ in range(9):
        stats.add(0.02, 200, parse_server_timing(header_value(0.01, 0.001, 2, 1, 0)))
    recorder = Recorder()
    recorder.merge({"event_page": stats})
    run = {"label": "this", "mode": "on", "seconds": 3.0, "rss_mb": {1: 120.0}, "checks": None,
           "ceiling": {"before": {"rps": 20.0}, "after": {"rps": 8.0}},
           "ceiling_between": [{"rps": 10.0}, {"rps": 14.0}], **recorder.report(3.0),
           "load": {"before": 1.0, "during": {"min": 1, "mean": 1.5, "max": 2}, "after": 1.0}}
    # 3 req/s against the mean of 20, 10, 14 and 8 (13): 23%; before and after alone (14) would say 21%.
    assert mixed_report.targets(run)["≥ 1/4 of the ceiling"] == "**FAIL** (23%)"
    row = next(line for line in mixed_report.summary_table([run]) if line.startswith("| this"))
    assert "| 20.0 / 12.0 (10.0–14.0, 2) / 8 |" in row
    run["ceiling_between"] = []
    assert "| 20.0 / 8 |" in next(line for line in mixed_report.summary_table([run]) if line.startswith("| this"))
