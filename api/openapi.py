"""What the generated OpenAPI schema cannot say by itself, added to it: errors are served as
application/problem+json, a checkout needs its Idempotency-Key, a seat list is non-empty and
without repeats, a new hold names its seats or asks for the best available (one of the two),
and a body that is not JSON is a 400. The API's own checks enforce these (with their stable
codes); the schema only documents them, so clients and fuzzers agree."""

from ninja import NinjaAPI

from core.problems import PROBLEM_CONTENT_TYPE

IDEMPOTENCY_KEY = {"type": "string", "minLength": 1, "maxLength": 200}


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                _document_operation(path, method, operation)
        components = schema["components"]["schemas"]
        for name in ("SeatsIn", "NewHoldIn", "AdditionIn"):
            seats = components.get(name, {}).get("properties", {})
            if "seats" in seats:
                seats["seats"].update(minItems=1, uniqueItems=True)
        for name in ("NewHoldIn", "AdditionIn"):
            areas = components.get(name, {}).get("properties", {}).get("areas")
            if areas is not None:  # one entry per area
                areas.update(minItems=1)
        if "NewHoldIn" in components:  # seats and/or areas, or best_available alone
            components["NewHoldIn"]["oneOf"] = [
                {"anyOf": [{"required": ["seats"]}, {"required": ["areas"]}],
                 "not": {"required": ["best_available"]}},
                {"required": ["best_available"],
                 "not": {"anyOf": [{"required": ["seats"]}, {"required": ["areas"]}]}},
            ]  # fmt: skip
        if "AdditionIn" in components:
            components["AdditionIn"]["anyOf"] = [{"required": ["seats"]}, {"required": ["areas"]}]
        return schema


def _document_operation(path: str, method: str, operation: dict) -> None:
    responses = operation["responses"]
    for status, response in responses.items():
        content = response.get("content", {})
        if int(status) >= 400 and "application/json" in content:
            content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    if "requestBody" in operation and "422" in responses:
        responses.setdefault("400", {**responses["422"], "description": "Malformed JSON"})
    if path.endswith("/checkout") and method == "post":
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "Idempotency-Key":
                parameter.update(required=True, schema=IDEMPOTENCY_KEY)
                parameter["description"] = (
                    "One checkout: the same key returns the same order, or finishes a payment "
                    "cut short, and never charges twice. After a decline it tries again."
                )
