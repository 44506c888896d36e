from api.checkin import router as checkin
from api.openapi import DocumentedAPI
from api.payment_pages import router as payment_pages
from api.problems import install_problem_handlers
from api.queue import router as queue
from api.v1 import router as v1

api = DocumentedAPI(
    title="Sandali API",
    version="1",
    description="Seats, holds and orders. Errors are RFC 9457 problem+json with a stable code.",
    docs_url="/docs",
    urls_namespace="api",
)
install_problem_handlers(api)
api.add_router("/v1", v1)
api.add_router("/v1", checkin)
api.add_router("/v1", queue)
api.add_router("/v1", payment_pages)
