"""JSON shapes of applications, reviews, decisions and selection targets (validation and OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    StrictBool,
    field_validator,
)
from pydantic_core import PydanticCustomError

from server.core.vocab import Region, Role, WorksWith, normalise_language
from server.core.zones import zone_names
from server.i18n import LANGUAGES
from server.schemas import CountryCode, Strict

M = TypeVar("M", bound=BaseModel)

# Length limits, shared by the JSON schema and the HTML form's maxlength attributes.
LIMITS = {
    "name": 200,
    "email": 254,
    "organisation": 200,
    "job_title": 200,
    "role_other": 200,
    "language": 40,
    "languages": 10,
    "work_relation": 5000,
    "key_question": 1000,
    "key_questions": 3,
    "challenges": 5000,
    "comment": 5000,
    "honeypot": 200,
}
HONEYPOT = "website"



def _language(value: str) -> str:
    try:
        return normalise_language(value)
    except ValueError:  # the refusal names the item: languages.<n>
        raise PydanticCustomError("unknown_language", "not an ISO 639 language") from None


def _message_language(value: str) -> str:
    if value not in LANGUAGES:
        raise PydanticCustomError("literal_error", "not one of our languages")
    return value


def _timezone(value: str) -> str:
    if value and value not in zone_names():
        raise PydanticCustomError("unknown_timezone", "not an IANA time zone")
    return value


Language = Annotated[str, Field(min_length=2, max_length=LIMITS["language"]), AfterValidator(_language)]


class ApplicationFields(Strict):
    """The answers an applicant gives, and may change from their personal link before the deadline."""

    name: Annotated[str, Field(min_length=1, max_length=LIMITS["name"])]
    organisation: Annotated[str, Field(min_length=1, max_length=LIMITS["organisation"])]
    job_title: Annotated[str, Field(min_length=1, max_length=LIMITS["job_title"])]
    country: CountryCode
    role: Role
    role_other: Annotated[str, Field(max_length=LIMITS["role_other"],
                                     description="required when role is other")] = ""
    languages: Annotated[
        list[Language],
        Field(min_length=1, max_length=LIMITS["languages"], description="ISO 639 codes or English names"),
    ]
    works_with: Annotated[list[WorksWith], Field(min_length=1, max_length=4)]
    work_relation: Annotated[str, Field(min_length=1, max_length=LIMITS["work_relation"])]
    key_questions: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=LIMITS["key_question"])]],
        Field(min_length=1, max_length=LIMITS["key_questions"]),
    ]
    challenges: Annotated[str, Field(min_length=1, max_length=LIMITS["challenges"])]
    share_questions: Literal["with_name", "anonymous", "no"] = Field(
        "anonymous", description="may your key questions seed the Q&A: with your name, anonymously, or not"
    )
    language: Annotated[str, Field(max_length=8, description="language of the messages we send: en, ru"),
                        AfterValidator(_message_language)] | None = None
    timezone: Annotated[str, Field(max_length=64, description="IANA time zone; empty: the country's"),
                        AfterValidator(_timezone)] | None = None
    offers_to_facilitate: bool = Field(False, description="willing to facilitate a break-out room")

    @field_validator("languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    @field_validator("works_with")
    @classmethod
    def _works_with(cls, values: list[WorksWith]) -> list[WorksWith]:
        return list(dict.fromkeys(values))

    def role_other_problem(self) -> str | None:
        """Cross-field rule, checked by the operations so the refusal names role_other."""
        if self.role is Role.OTHER and not self.role_other:
            return _("Your role is “Other”: say in a few words what it is.")
        return None


class ApplicationEdit(ApplicationFields):
    """A change from the personal link: the same answers; the email address stays."""


class ApplicationIn(ApplicationFields):
    """What an applicant sends. Every field is limited; unknown fields are refused."""

    email: Annotated[EmailStr, Field(max_length=LIMITS["email"])]
    consent: StrictBool = Field(description="consent to the processing of the data; must be true")
    website: Annotated[str, Field(max_length=LIMITS["honeypot"], description="leave empty")] = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if value is not True:
            raise PydanticCustomError("consent_required", "consent is required")
        return value

    @field_validator("website")
    @classmethod
    def _honeypot(cls, value: str) -> str:
        if value:
            raise PydanticCustomError("must_be_empty", "must be left empty")
        return value


class ReviewIn(Strict):
    score: Annotated[int, Field(ge=1, le=5, strict=True, description="1 (weak) to 5 (strong)")]
    comment: Annotated[str, Field(max_length=LIMITS["comment"])] = ""


class DecisionIn(Strict):
    decision: Literal["invite", "waitlist", "decline"]


class ResponseIn(Strict):
    response: Literal["accept", "decline"]


class OverrideIn(Strict):
    override: Literal["in", "out"] | None = Field(description="forced in, forced out, or null to clear")


Share = Annotated[float, Field(ge=0.0, le=1.0, description="share of the seats, 0..1")]


class TargetsIn(Strict):
    seats: Annotated[int, Field(ge=1, le=5000)] | None = None
    region_min: dict[Region, Share] = {}
    region_max: dict[Region, Share] = {}
    roles: Annotated[list[Role], Field(max_length=len(Role),
                                       description="at least one of each, when someone applied")] = []
    max_per_organisation: Annotated[int, Field(ge=1, le=5000)] | None = None
    max_per_country: Annotated[int, Field(ge=1, le=5000)] | None = None


class ApplySelectionIn(Strict):
    proposal_id: Annotated[str, Field(min_length=1, max_length=64,
                                      description="the proposal_id of the proposal you looked at")]


# ---- responses (documented, not validated on the way out) ----

class ApplicationReceivedOut(BaseModel):
    """The same answer whether the address is new or has applied already (issue 11, item 1):
    no id, no link — both go to the address only."""

    status: Literal["received"]
    detail: str = Field(description="a sentence for the person: check your email")


class ReviewOut(BaseModel):
    reviewer: str
    score: int
    comment: str
    mine: bool


class ReviewSummaryOut(BaseModel):
    count: int
    mean: float | None = Field(description="null until you have scored it yourself")
    spread: int | None = Field(description="highest minus lowest score; null until you have scored")
    mine: int | None


class ApplicationRowOut(BaseModel):
    id: int
    status: str
    name: str | None
    organisation: str | None
    job_title: str | None
    country: str
    country_name: str
    region: str
    role: str
    role_other: str | None
    languages: list[str]
    works_with: list[str]
    selection_override: str | None
    created_at: str
    review: ReviewSummaryOut


class ApplicationListOut(BaseModel):
    count: int
    applications: list[ApplicationRowOut]


class ApplicationOut(ApplicationRowOut):
    email: str | None
    work_relation: str | None
    key_questions: list[str]
    challenges: str | None
    share_questions: str
    offers_to_facilitate: bool = Field(description="the applicant is willing to facilitate a break-out room")
    is_facilitator: bool = Field(description="the organisers chose them to facilitate")
    reviews: list[ReviewOut] | None = Field(description="null until you have scored it yourself")


class TargetsOut(BaseModel):
    seats: int
    region_min: dict[str, float]
    region_max: dict[str, float]
    roles: list[str]
    max_per_organisation: int | None
    max_per_country: int | None


class TargetRefOut(BaseModel):
    kind: str
    subject: str
    bound: int
    label: str


class IssueOut(BaseModel):
    target: TargetRefOut
    actual: int
    by: int
    cause: str
    message: str


class PassedOverOut(BaseModel):
    id: int
    name: str | None
    score: float
    reason: str


class PersonOut(BaseModel):
    id: int
    name: str | None
    organisation: str | None
    country: str
    role: str
    region: str
    status: str
    score: float | None
    override: str | None


class ExplanationOut(BaseModel):
    total_score: float
    seats: int
    filled: int
    binding: list[TargetRefOut]
    unmet: list[IssueOut]
    broken_by_overrides: list[IssueOut]
    passed_over: list[PassedOverOut]
    unreviewed_invited: list[int]
    proven_optimal: bool
    text: str


class ProposalOut(BaseModel):
    proposal_id: str
    invited: list[PersonOut]
    waitlist: list[PersonOut]
    excluded: list[PersonOut]
    explanation: ExplanationOut


class AppliedOut(BaseModel):
    invited: int
    waitlisted: int
    rejected: int
    unchanged: int


class WaitlistOfferOut(BaseModel):
    free_seats: int
    offer: PersonOut | None


