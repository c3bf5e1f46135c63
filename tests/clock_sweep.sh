#!/usr/bin/env bash
# Run the SQLite suite as if the clock showed other moments, to find tests (and code) that depend on
# the time of day or the date: late UTC evenings (a UTC date is not the event's local date), the
# ends of months and years, daylight-saving changes. Needs libfaketime (Debian: `apt-get install
# faketime`). Not part of `make test` or CI: about two minutes per moment.
#
#   tests/clock_sweep.sh                          # the default moments below
#   tests/clock_sweep.sh "2027-03-28 00:30:00"    # moments of your own (UTC)
#
# The clock is shifted by a fixed offset (FAKETIME=+Ns), so processes the tests start agree with it.
# Under libfaketime the pytest process does not exit after its summary, so it is stopped once the
# summary is printed. Tests that start a Python process running the app (the two that start a
# scheduler process, the export-loading probe, the BASE_URL and `make run` banner probes) hang under
# libfaketime even at an offset of zero, so they are left out. The suite takes about 10–15 minutes a
# moment under libfaketime.
set -u
cd "$(dirname "$0")/.."
LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -n "$LIB" ] || { echo "libfaketime not found: apt-get install faketime" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$(date -u -d tomorrow +%F) 23:30:00" "$(date -u -d tomorrow +%F) 22:30:00" \
    "2026-12-31 23:40:00" "2027-03-28 00:30:00" "2027-10-31 00:30:00" "2027-02-28 21:50:00"
LOGS=$(mktemp -d)
status=0
for moment in "$@"; do
  log="$LOGS/$(echo "$moment" | tr ' :' '__').log"
  offset=$(( $(date -u -d "$moment" +%s) - $(date -u +%s) ))
  FAKETIME="+${offset}s" LD_PRELOAD="$LIB" LIAISON_STRICT_SKIPS="${LIAISON_STRICT_SKIPS:-}" \
    .venv/bin/python -m pytest -q -p no:cacheprovider \
    --deselect tests/scheduler/test_runner.py::test_two_schedulers_send_each_message_and_reminder_exactly_once \
    --deselect tests/scheduler/test_runner.py::test_flask_scheduler_run_acts_then_releases_its_lease_on_sigterm \
    --deselect tests/lessons/test_exports.py::test_a_worker_loads_the_pdf_and_docx_libraries_only_when_it_exports \
    --deselect tests/test_migrations.py::test_a_web_worker_does_not_load_alembic_but_flask_db_still_runs \
    --deselect tests/test_memory.py::test_a_worker_returns_the_memory_of_password_checks \
    --deselect tests/test_base_url.py::test_development_links_follow_the_port_of_make_run \
    --deselect tests/test_base_url.py::test_development_links_follow_the_host_too_and_a_set_base_url_wins \
    --deselect tests/test_devserver.py::test_make_run_prints_its_banner_last_and_keeps_scheduler_lines_in_a_file \
    >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1800); do
    sleep 1
    grep -qE "^(=+ )?[0-9]+ (passed|failed).* in [0-9.]+s" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
  done
  kill "$pid" 2>/dev/null; sleep 1; kill -9 "$pid" 2>/dev/null
  summary=$(grep -E "[0-9]+ (passed|failed)" "$log" | tail -n 1)
  echo "$moment UTC: ${summary:-no summary, see $log}"
  if [ -z "$summary" ] || grep -q "failed" <<<"$summary"; then
    grep -E "^FAILED" "$log"
    status=1
  fi
done
echo "logs: $LOGS"
exit $status
