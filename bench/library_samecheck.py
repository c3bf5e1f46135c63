"""The library pages one code answers, written down to compare with another code's (issue 19).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_h_search_bench \
        python -m bench.library_samecheck --caches on --out /tmp/new-on.txt
    (the same in a checkout of the old code, on the same data; then diff the files)

Viewers of every kind (members with and without an organisation, organisers of events with entries,
coordinators, an administrator, visitors) ask the library for each of the mix's words and a few
others, pages 1 to 3, with and without filters, in English and Ukrainian, each twice (the second
answer may come from what the first kept). Each answer is one line: what was asked, of whom, its
status and a digest of its body (CSRF tokens blanked: bench.cache_costs.normalised). Reads only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench.cache_costs import normalised
from bench.cache_replay import make_app
from bench.mixed_traffic import SEARCH_TERMS

WORDS = [*SEARCH_TERMS, "radio", "the", "zzznothing", "cyber crime evidence"]
FILTERS = [{}, {"kind": "lesson"}, {"status": "validated"}, {"tlp": "green"}]


def _viewers(url: str) -> list[tuple]:
    """(user id, session version) of viewers of every kind; (None, None) a visitor."""
    engine = create_engine(url)
    with engine.connect() as connection:
        def rows(sql: str):
            return [tuple(row) for row in connection.execute(text(sql))]
        found = rows("SELECT id, session_version FROM users WHERE role = 'member' AND organisation_id IS NOT NULL "
                     "ORDER BY id LIMIT 6")
        found += rows("SELECT id, session_version FROM users WHERE role = 'member' AND organisation_id IS NULL "
                      "ORDER BY id LIMIT 2")
        found += rows("SELECT u.id, u.session_version FROM users u WHERE u.role = 'organiser' AND EXISTS "
                      "(SELECT 1 FROM events e JOIN lessons l ON l.event_id = e.id WHERE e.created_by_id = u.id) "
                      "ORDER BY u.id LIMIT 4")
        found += rows("SELECT u.id, u.session_version FROM users u WHERE EXISTS (SELECT 1 FROM lessons l "
                      "WHERE l.author_id = u.id AND l.status = 'draft') ORDER BY u.id LIMIT 2")
        found += rows("SELECT id, session_version FROM users WHERE role = 'coordinator' ORDER BY id LIMIT 2")
        found += rows("SELECT id, session_version FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
    engine.dispose()
    return [*found, (None, None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--caches", choices=["on", "off"], default="on")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    url = os.environ["DATABASE_URL"]
    app = make_app(url, args.caches == "on")
    lines = []
    for user_id, version in _viewers(url):
        client = app.test_client()
        if user_id is not None:
            with client.session_transaction() as session:
                session["_user_id"] = f"{user_id}:{version}:{secrets.token_urlsafe(24)}"
                session["_fresh"] = True
        for index, word in enumerate(WORDS):
            language = "uk" if index % 5 == 4 else "en"
            for page in (1, 2, 3):
                for filters in FILTERS if page == 1 else FILTERS[:1]:
                    query = {"q": word, **filters, **({"page": str(page)} if page > 1 else {})}
                    path = f"/lessons/?{urlencode(query)}"
                    for attempt in (1, 2):
                        response = client.get(path, headers={"Accept-Language": language})
                        status, _, _, body = normalised(response)
                        digest = hashlib.sha256(body).hexdigest()[:16]
                        lines.append(f"{path} {language} viewer={user_id} try={attempt} {status} {digest}")
    with open(args.out, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"{len(lines)} answers written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
