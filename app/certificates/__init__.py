"""Certificates of attendance: who earns one (per-event rule), numbered records, the PDF with its QR
code, public verification and revocation."""
