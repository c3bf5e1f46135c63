"""What a worker keeps of the library between searches (app.lessons.public_part, app.lessons.listing's
memo of what words found) starts empty in each test: ids and stamps restart with the emptied tables."""

from __future__ import annotations

import pytest

from app.lessons import listing, public_part


@pytest.fixture(autouse=True)
def _library_kept_nothing():
    public_part._KEPT.clear()
    listing._FOUND.clear()
    yield
    public_part._KEPT.clear()
