"""`<id:...>` in a URL: a positive id that fits in 64 bits. Anything else (a bigger number)
matches no URL, so it answers 404 instead of asking the database for a row it cannot hold."""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
