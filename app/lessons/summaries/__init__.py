"""Coordinators' summaries and organisers' wrap-up reports.

- compile.py: select the visible, validated entries matching a filter (a bounded number of
  queries) as plain snapshot dicts; key figures; grouping.
- store.py: save a summary version (a frozen JSON snapshot, so a saved summary does not change when
  its entries do) and decide who may open it.
- document.py: turn a saved version into a plain "document" that app.lessons.export renders as
  PDF, DOCX, Markdown or HTML.
- wrap_up.py: an event's wrap-up report (attendance, feedback, entries, actions) and its document.
"""
