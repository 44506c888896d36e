"""The phone map phase (bench/map_phone.py) judges each figure against issue #16's targets:
drawn within 1 s of the seat data, no task over 200 ms, none at the snapshot, 50 fps."""

from bench.map_phone import verdicts


def result(*, drawn=900, longest=150, at_snapshot=(), pan=55.0, pinch=52.0) -> dict:
    return {
        "drawn_after_seat_data_ms": drawn,
        "long_tasks_until_interactive": {"longest_ms": longest},
        "long_tasks_at_snapshot": list(at_snapshot),
        "pan": {"fps": pan},
        "pinch": {"fps": pinch},
    }


def test_figures_within_the_targets_pass():
    assert all(verdict["pass"] for verdict in verdicts(result()).values())


def test_each_figure_beyond_its_target_fails_alone():
    beyond = {
        "drawn_within_1s": {"drawn": 1001},
        "no_task_over_200ms": {"longest": 201},
        "no_long_task_at_snapshot": {"at_snapshot": [{"start": 0, "duration": 51}]},
        "pan_50fps": {"pan": 49.9},
        "pinch_50fps": {"pinch": 49.9},
    }
    for target, figures in beyond.items():
        judged = verdicts(result(**figures))
        assert [name for name, v in judged.items() if not v["pass"]] == [target]


def test_a_map_never_drawn_fails():
    assert not verdicts(result(drawn=None))["drawn_within_1s"]["pass"]
