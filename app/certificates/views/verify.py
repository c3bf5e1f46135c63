"""The public verification page a certificate's QR code opens: valid or revoked, with the holder's
name, the training, dates, hours and issuer — nothing else. No sign-in; rate-limited."""

from __future__ import annotations

from flask import current_app, render_template

from app.certificates import queries
from app.certificates.content import dates_text, hours_value
from app.certificates.issue import normalise_number
from app.certificates.views import bp
from app.extensions import limiter


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.get("/certificates/verify/<number>")
@limiter.limit(_limit)
def verify(number: str):
    certificate = queries.by_number(normalise_number(number))
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    return render_template("certificates/verify.html", certificate=certificate,
                           dates=dates_text(certificate, with_times=certificate.session_id is not None),
                           hours=hours_value(certificate))
