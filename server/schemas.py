"""JSON building blocks every feature's schemas share."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from server.core.vocab import UnknownCountry, normalise_country


class Strict(BaseModel):
    """Unknown fields are refused by name; surrounding white space is dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _country(value: str) -> str:
    try:
        return normalise_country(value)
    except UnknownCountry:
        raise PydanticCustomError("unknown_country", "not an ISO 3166-1 alpha-2 country code") from None


CountryCode = Annotated[
    str, Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2"), AfterValidator(_country)
]
