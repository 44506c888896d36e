"""What a server process loaded at its start is moved out of the garbage collector's sight.

A full collection walks every object the collector tracks. Django, Ninja's schemas, the URL
conf and the views are about 150,000 of them, none of which ever becomes garbage, and walking
them took 57-78 ms of one thread's CPU on an idle machine, with the GIL held: every other
request of the process waited. In the surge's sell-out such a pause came once or twice a run
per process, took 90-110 ms under load, and was most of the admitted holds' slowest answers
(docs/benchmarks.md, "A full collection holds the GIL"). gc.freeze() moves them to the
permanent generation, which no collection walks; what requests make is collected as before.
Frozen objects are never collected, so the freeze comes once, at the end of loading. Any
process that imports an entry point freezes (a test run that imports one, too): harmless, the
objects then frozen would have lived as long.
"""

import gc

from django.urls import get_resolver


def freeze_loaded_objects(*, load_views: bool = True) -> None:
    """Load the URL conf (and with it every view, the API's routers and their schemas) unless
    `load_views` is False (the socket processes, which nginx sends only /ws/, never load
    them), collect the garbage of loading, then freeze what is left. Call once, when the
    process has loaded its application and before it serves."""
    if load_views:
        resolver = get_resolver()
        resolver.url_patterns  # noqa: B018 - importing every view module is the point
        resolver.reverse_dict  # noqa: B018 - built on the first reverse() otherwise
    gc.collect()
    gc.freeze()
