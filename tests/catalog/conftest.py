from tests.catalog.plan_helpers import event, full_hall  # noqa: F401 - fixtures of plan tests
