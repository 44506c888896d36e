"""Two organizers saving the same layout at once, on PostgreSQL with real threads: each save
replaces the layout whole, one after the other, and the layout ends as one of them wrote it."""

import copy

import pytest

from catalog.layout_documents import layout_document, save_layout_document
from catalog.models import LayoutSeat, LayoutSection
from tests.catalog import test_layout_documents
from tests.reservations.test_concurrency import run_threads

layout = test_layout_documents.layout  # the hall of the document tests, as a fixture here

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_two_saves_of_one_layout_at_once_leave_one_of_them_whole(postgres_only, layout):
    base = layout_document(layout)
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
