"""The dossier lifecycle as data: which moves are allowed, which need a reason, which end it."""

from __future__ import annotations

from models.enums import DossierStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.NEEDS_SUPPLEMENT, S.REJECTED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.RESULT_READY, S.NEEDS_SUPPLEMENT, S.REJECTED, S.WITHDRAWN}),
    S.NEEDS_SUPPLEMENT: frozenset({S.IN_PROGRESS, S.REJECTED, S.WITHDRAWN}),
    S.RESULT_READY: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

REASON_REQUIRED = frozenset({S.NEEDS_SUPPLEMENT, S.REJECTED})

# Handling is over: the deadline no longer runs and the dossier cannot be overdue.
FINISHED = frozenset({S.RESULT_READY, S.RETURNED, S.REJECTED, S.WITHDRAWN})

# The agency decided (a withdrawal is the citizen's): these count as on time or late.
HANDLED = frozenset({S.RESULT_READY, S.RETURNED, S.REJECTED})

# The deadline runs (the clock is stopped while the citizen owes a supplement).
CLOCK_RUNNING = frozenset({S.RECEIVED, S.IN_PROGRESS})

# Which move the citizen hears about, and with which template.
NOTIFY_TEMPLATE: dict[S, str] = {
    S.RECEIVED: "dossier_received",
    S.NEEDS_SUPPLEMENT: "dossier_needs_supplement",
    S.RESULT_READY: "dossier_result_ready",
    S.REJECTED: "dossier_rejected",
    S.WITHDRAWN: "dossier_withdrawn",
}


def can_move(from_status: S, to_status: S) -> bool:
    return to_status in TRANSITIONS[from_status]
