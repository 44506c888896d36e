"""The benchmark's stranded-seat phase (bench/stranded.py) runs and reports both counts: on a
small hall it sells out three times (best available, by hand, by hand with the rule on) and
leaves no two free seats side by side."""

import pytest

from bench.stranded import free_seats_now, stranded_seats
from catalog.best_available import free_runs
from catalog.models import Performance

pytestmark = pytest.mark.django_db


def test_the_phase_reports_the_stranded_seats_of_each_way_of_buying():
    result = stranded_seats(seats=300)
    for way in ("best_available", "by_hand", "by_hand_rule_on"):
        figures = result[way]
        assert figures["stranded"] == figures["free_seats_left"]  # sold out: only singles
        assert figures["buyers_seated"] > 0
    assert result["stranded_best_available"] == result["best_available"]["stranded"]
    assert result["stranded_by_hand"] == result["by_hand"]["stranded"]
    # Random hand-picking strands seats; best available and the rule strand fewer.
    assert result["stranded_by_hand"] > result["stranded_best_available"]
    assert result["stranded_by_hand"] > result["stranded_by_hand_rule_on"]
    assert result["stranded_ratio_best_to_hand"] == pytest.approx(
        result["stranded_best_available"] / result["stranded_by_hand"], abs=0.001
    )
    for performance in Performance.objects.filter(event__name="Stranded seats"):
        assert all(len(run) == 1 for run in free_runs(free_seats_now(performance.pk)))
