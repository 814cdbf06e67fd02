"""GET/PATCH /v1/me, GET /v1/me/export."""

from __future__ import annotations

from domain.profile import export_citizen_data, load_profile, update_profile
from mobile_api.endpoints import Call, Endpoint
from mobile_api.schemas.me import Export, Me, MeChange


async def get_me(call: Call) -> Me:
    return Me.of(await load_profile(citizen=call.citizen))


async def change_me(call: Call) -> Me:
    change: MeChange = call.body
    alerts = change.notifications
    profile = await update_profile(
        citizen=call.citizen,
        full_name=change.full_name,
        language=change.language,
        push_alerts=alerts.push if alerts else None,
        sms_alerts=alerts.sms if alerts else None,
        personal_data=change.personal_data_consent,
    )
    return Me.of(profile)


async def export_me(call: Call) -> Export:
    return Export.of(await export_citizen_data(citizen=call.citizen))


TAG = "me"
endpoints = [
    Endpoint("GET", "/v1/me", get_me, "The signed-in citizen", TAG, response=Me),
    Endpoint(
        "PATCH",
        "/v1/me",
        change_me,
        "Change name, language, alerts or consent",
        TAG,
        body=MeChange,
        response=Me,
    ),
    Endpoint(
        "GET",
        "/v1/me/export",
        export_me,
        "Everything held about the signed-in citizen",
        TAG,
        response=Export,
    ),
]
