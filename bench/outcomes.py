from dataclasses import dataclass
from typing import Any


@dataclass
class HoldOutcome:
    """What a hold attempt came to: a hold (reference), or the seats that were not free."""

    hold: Any = None
    refused: set[int] | None = None
