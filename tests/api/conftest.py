import pytest

# The shared helpers assert (assert_problem, create_hold...): let pytest explain their failures.
pytest.register_assert_rewrite("tests.api.helpers")
