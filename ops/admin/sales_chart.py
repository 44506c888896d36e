"""Sales by day as a bar chart drawn on the server: plain SVG, no JavaScript library. The
page puts the same figures in a table beside it, which the chart's aria-describedby names, so
a screen reader reads the numbers rather than the bars.

In a right-to-left language the days run from right to left, as the page does."""

from dataclasses import dataclass
from datetime import date, timedelta

import jdatetime
from django.utils.translation import get_language_bidi

from backoffice.sales import SalesDay
from core.localformat import digits, money, persian

WIDTH, HEIGHT = 720, 220
TOP, BOTTOM, SIDE = 16, 28, 8  # room for the tallest bar's figure and the day labels
MOST_LABELS = 8  # day labels under the bars, so they never overlap
WIDEST_BAR = 36  # a sale of a few days still looks like days, not like a wall


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    center: float  # where the day's label is centred
    label: str  # the day, as the reader writes dates
    title: str  # what a pointer over the bar shows: the day, tickets and revenue
    show_label: bool


def day_label(day: date) -> str:
    if persian():
        return digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))
    return day.isoformat()


def every_day(days: list[SalesDay]) -> list[SalesDay]:
    """The days from the first sale to the last, a day with no sale counted as zero, so that
    the bars' spacing is time."""
    if not days:
        return []
    sold = {day.day: day for day in days}
    first, last = days[0].day, days[-1].day
    span = (last - first).days + 1
    return [
        sold.get(first + timedelta(n), SalesDay(first + timedelta(n), 0, days[0].revenue * 0))
        for n in range(span)
    ]


def sales_bars(days: list[SalesDay], *, currency: str) -> dict:
    """The chart's bars and axis, ready for the template (admin/sales_chart.html)."""
    shown = every_day(days)
    if not shown:
        return {"bars": [], "width": WIDTH, "height": HEIGHT}
    highest = max(day.tickets for day in shown) or 1
    slot = (WIDTH - 2 * SIDE) / len(shown)
    plot = HEIGHT - TOP - BOTTOM
    label_every = -(-len(shown) // MOST_LABELS)
    rtl = get_language_bidi()
    bars = []
    bar_width = min(slot * 0.8, WIDEST_BAR)
    for index, day in enumerate(shown):
        height = plot * day.tickets / highest
        center = SIDE + (index + 0.5) * slot
        if rtl:
            center = WIDTH - center
        label = day_label(day.day)
        bars.append(
            Bar(
                x=round(center - bar_width / 2, 2),
                y=round(TOP + plot - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                center=round(center, 2),
                label=label,
                title=f"{label}: {digits(day.tickets)} — {money(day.revenue, currency)}",
                show_label=index % label_every == 0 or index == len(shown) - 1,
            )
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": TOP + plot,
        "label_y": HEIGHT - 8,
        "highest": digits(highest),
        # (text-anchor "start" is the text's right end in a right-to-left page)
        "highest_x": WIDTH - SIDE if rtl else SIDE,
    }
