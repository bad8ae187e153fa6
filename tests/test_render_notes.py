"""A methods note is folded under "How this is worked out" on screen and printed in full in the pack."""

from dash import dcc, html

from dashboard.render import METHOD_SUMMARY, note_view
from dashboard.sections.base import Note


def test_method_note_is_folded_under_its_summary():
    node = note_view(Note("plans-method", "Kaplan-Meier **estimate**", kind="method"))
    assert isinstance(node, html.Details)
    summary, body = node.children
    assert isinstance(summary, html.Summary) and summary.children == METHOD_SUMMARY
    assert isinstance(body, dcc.Markdown) and body.id == "plans-method"
    assert body.children == "Kaplan-Meier **estimate**"


def test_other_notes_are_not_folded():
    assert not isinstance(note_view(Note("n", "text")), html.Details)
    assert not isinstance(note_view(Note("n", "text", kind="markdown")), html.Details)
