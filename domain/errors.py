"""One error type for the domain. Doors render it: problem+json, a USSD END screen, an SMS reply.

`code` is stable (it becomes the problem `type` and the catalogue key `error.<code>`), `params`
fill the catalogue text, `detail` is an English fallback for logs and developers. `field` names
the input that is wrong, in the raising function's words (a door that calls it something else
renames it); a 422 problem lists it in `errors`.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        status: int | None = None,
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail or code
        self.field = field
        self.params = params if field is None else {"field": field, **params}
        if status is not None:
            self.status = status


class InvalidInput(DomainError):
    """The request is well-formed but a value is not acceptable (422)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (a full slot, an illegal move)."""

    status = 409


class Forbidden(DomainError):
    status = 403


class TooManyRequests(DomainError):
    """Too many attempts in a window; `retry_after` says, in whole seconds, when to try again."""

    status = 429

    def __init__(
        self, code: str = "too_many_requests", detail: str = "", *, retry_after: int
    ) -> None:
        super().__init__(code, detail or code, seconds=retry_after)
        self.retry_after = retry_after


class Unauthorized(DomainError):
    """No valid credentials: a missing, expired, tampered or revoked token (401)."""

    status = 401


class FieldProblem:
    """One thing wrong with one input of a form: its place (`answers.child_name`,
    `documents.birth_certificate`), a stable code (catalogue key `form.error.<code>`) and what
    fills that text."""

    __slots__ = ("field", "code", "params")

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"FieldProblem({self.field!r}, {self.code!r})"


class FormIncomplete(InvalidInput):
    """Everything a submission lacks, at once: a citizen on 3G should fix it all in one go."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("form_incomplete", f"{len(problems)} problem(s) in the form")
        self.problems = problems
        self.params = {"count": len(problems)}
