from django.shortcuts import render

from catalog.selectors import list_events


def home(request):
    return render(request, "web/home.html", {"events": list_events()})
