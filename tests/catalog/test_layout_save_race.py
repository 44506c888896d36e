"""Organizers saving the same layout at once, on PostgreSQL with real threads: saves take
turns and each replaces the layout whole; of saves made from the same revision, one wins and
the others are told that somebody else saved first."""

import copy

import pytest

from catalog.errors import LayoutChangedElsewhere
from catalog.layout_documents import layout_document, save_layout_document
from catalog.models import LayoutSeat, LayoutSection
from tests.catalog import test_layout_documents
from tests.reservations.test_concurrency import run_threads

layout = test_layout_documents.layout  # the hall of the document tests, as a fixture here

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_two_saves_of_one_layout_at_once_leave_one_of_them_whole(postgres_only, layout):
    base = layout_document(layout)
    del base["revision"]  # saved whatever was saved since: the last one wins, whole
    documents = []
    for shift in (100, 200):  # each organizer moved every seat elsewhere
        document = copy.deepcopy(base)
        for section in document["sections"]:
            for seat in section["seats"]:
                seat["x"] += shift
        documents.append(document)

    results = run_threads(6, lambda n: save_layout_document(layout, documents[n % 2]))

    assert results == [17] * 6, results
    assert LayoutSection.objects.filter(layout=layout).count() == 2
    xs = {round(x) // 100 for x in LayoutSeat.objects.values_list("x", flat=True)}
    assert len(xs) == 1 and LayoutSeat.objects.count() == 17


def test_of_saves_from_one_revision_at_once_one_wins_and_the_others_are_told(postgres_only, layout):
    base = layout_document(layout)
    documents = []
    for shift in range(6):
        document = copy.deepcopy(base)
        for seat in document["sections"][0]["seats"]:
            seat["x"] += 100 * (shift + 1)
        documents.append(document)

    results = run_threads(6, lambda n: save_layout_document(layout, documents[n]))

    assert [r for r in results if not isinstance(r, LayoutChangedElsewhere)] == [17], results
    winner = next(n for n, r in enumerate(results) if r == 17)
    stalls = LayoutSeat.objects.filter(section__name="Stalls")
    assert {round(x) // 100 for x in stalls.values_list("x", flat=True)} == {winner + 1}
    layout.refresh_from_db()
    assert layout.revision == base["revision"] + 1
