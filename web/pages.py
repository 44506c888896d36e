"""What every buyer page and request of one performance starts with: the performance, or the
404 of any page for nothing (the seat map, the selection, best available, the queue)."""

from django.http import Http404

from catalog.errors import PerformanceNotFound
from catalog.models import Performance
from catalog.selectors import get_performance


def performance_or_404(performance_id: int) -> Performance:
    try:
        return get_performance(performance_id=performance_id)
    except PerformanceNotFound:
        raise Http404 from None
