"""What a procedure asks for, as data: typed fields with vi/en labels and rules, and the
documents to attach. A form is published in versions; checking answers against one version gives
every problem at once (`FormIncomplete`), each named by its field."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.errors import DomainError, FieldProblem, FormIncomplete, InvalidInput
from domain.phones import normalise_phone

FieldType = Literal["text", "date", "choice", "number", "phone", "cccd", "address"]
DocumentType = Literal["application/pdf", "image/jpeg", "image/png"]
NAME = r"^[a-z][a-z0-9_]{0,39}$"
_CCCD = re.compile(r"^\d{12}$")
TEXT_MAX, ADDRESS_MAX = 200, 300
MiB = 1024 * 1024


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Annotated[str, Field(pattern=NAME)]
    label_vi: Annotated[str, Field(min_length=1, max_length=100)]
    label_en: Annotated[str, Field(min_length=1, max_length=100)]


class FieldSpec(BaseModel):
    """One question. `choices` only for a choice, `minimum`/`maximum` only for a number."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, Field(pattern=NAME)]
    type: FieldType
    label_vi: Annotated[str, Field(min_length=1, max_length=120)]
    label_en: Annotated[str, Field(min_length=1, max_length=120)]
    required: bool = True
    max_length: Annotated[int, Field(ge=1, le=ADDRESS_MAX)] | None = None
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    past_only: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("a choice field, and only it, lists choices")
        if len({choice.value for choice in self.choices}) != len(self.choices):
            raise ValueError("choice values repeat")
        if self.type != "number" and (self.minimum is not None or self.maximum is not None):
            raise ValueError("only a number has a minimum or maximum")
        return self

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_vi


class DocumentSpec(BaseModel):
    """One paper to attach; `photo_ok` says a phone photo of the paper original is acceptable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Annotated[str, Field(pattern=NAME)]
    name_vi: Annotated[str, Field(min_length=1, max_length=160)]
    name_en: Annotated[str, Field(min_length=1, max_length=160)]
    required: bool = True
    types: Annotated[tuple[DocumentType, ...], Field(min_length=1)] = ("application/pdf",)
    max_bytes: Annotated[int, Field(ge=1024, le=50 * MiB)] = 5 * MiB
    photo_ok: bool = False
    max_files: Annotated[int, Field(ge=1, le=20)] = 1

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class FormSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fields: Annotated[tuple[FieldSpec, ...], Field(max_length=60)] = ()
    documents: Annotated[tuple[DocumentSpec, ...], Field(max_length=30)] = ()

    @model_validator(mode="after")
    def _unique(self) -> FormSpec:
        names = [spec.name for spec in self.fields]
        kinds = [spec.kind for spec in self.documents]
        if len(set(names)) != len(names) or len(set(kinds)) != len(kinds):
            raise ValueError("field names and document kinds must each be unique")
        return self

    def field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def document(self, kind: str) -> DocumentSpec | None:
        return next((spec for spec in self.documents if spec.kind == kind), None)


def read_form_spec(fields_spec: Any, documents_spec: Any) -> FormSpec:
    """A stored or submitted form, checked; an admin's mistake is a 422 naming the spot."""
    try:
        return FormSpec.model_validate({"fields": fields_spec, "documents": documents_spec})
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        place = ".".join(str(part) for part in first["loc"])
        raise InvalidInput("form_spec_invalid", f"{place}: {first['msg']}", field=place) from None


def _parse_date(value: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def clean_answer(spec: FieldSpec, raw: Any, *, today: date) -> Any:
    """The stored form of one answer, or a FieldProblem raised as DomainError code.
    Dates are kept as ISO text, phones in E.164, choices as their value."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise DomainError("not_text")
    value = str(raw).strip()
    if spec.type == "number":
        if not re.fullmatch(r"-?\d{1,12}", value):
            raise DomainError("not_a_number")
        number = int(value)
        low, high = spec.minimum, spec.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise DomainError("out_of_range", minimum=low, maximum=high)
        return number
    if spec.type == "date":
        day = _parse_date(value)
        if day is None:
            raise DomainError("invalid_date")
        if spec.past_only and day > today:
            raise DomainError("date_in_future")
        return day.isoformat()
    if spec.type == "choice":
        values = [choice.value for choice in spec.choices]
        if value not in values:
            raise DomainError("not_a_choice")
        return value
    if spec.type == "phone":
        try:
            return normalise_phone(value, mobile_only=False)
        except DomainError:
            raise DomainError("invalid_phone") from None
    if spec.type == "cccd":
        digits = re.sub(r"[\s.]", "", value)
        if not _CCCD.match(digits):
            raise DomainError("invalid_cccd")
        return digits
    limit = spec.max_length or (ADDRESS_MAX if spec.type == "address" else TEXT_MAX)
    if len(value) > limit:
        raise DomainError("too_long", max_length=limit)
    if "\x00" in value:
        raise DomainError("not_text")
    return value


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_answers(
    spec: FormSpec, answers: dict[str, Any], *, today: date, complete: bool
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Answers kept as stored, and what is wrong with them. A draft (`complete` False) may leave
    required fields blank; a submission may not. Unknown names are always refused."""
    cleaned: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name in answers:
        if spec.field(name) is None:
            problems.append(FieldProblem(f"answers.{name}", "unknown_field"))
    for field in spec.fields:
        raw = answers.get(field.name)
        if _is_blank(raw):
            if complete and field.required:
                problems.append(FieldProblem(f"answers.{field.name}", "required"))
            continue
        try:
            cleaned[field.name] = clean_answer(field, raw, today=today)
        except DomainError as wrong:
            problems.append(FieldProblem(f"answers.{field.name}", wrong.code, **wrong.params))
    return cleaned, problems


def missing_documents(spec: FormSpec, attached_kinds: list[str]) -> list[FieldProblem]:
    return [
        FieldProblem(f"documents.{document.kind}", "document_required")
        for document in spec.documents
        if document.required and document.kind not in attached_kinds
    ]


def check_complete(
    spec: FormSpec, answers: dict[str, Any], attached_kinds: list[str], *, today: date
) -> dict[str, Any]:
    """The answers as stored, or every problem of the submission at once."""
    cleaned, problems = clean_answers(spec, answers, today=today, complete=True)
    problems += missing_documents(spec, attached_kinds)
    if problems:
        raise FormIncomplete(problems)
    return cleaned
