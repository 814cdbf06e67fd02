"""Logging in with a phone number: a one-time code by SMS, then tokens for the app.

Codes are 6 digits, kept only as a keyed hash, valid 5 minutes, locked after 5 wrong tries
(the 6th try is refused even with the right code). Sending is throttled per number and per
client address, because each code costs an SMS and each number is a guess at someone's login.
Once a code is used or replaced, the copy of it in the outbox body is masked.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.auth.app_tokens import TokenPair, issue_tokens
from domain.catalogue import text
from domain.citizens import register_citizen
from domain.errors import InvalidInput
from domain.local_time import utc_now
from domain.phones import mask_phone, normalise_textable_phone
from domain.policy import keyed_hash
from domain.throttle import consume_attempt
from models import Citizen, OtpCode, OutboxMessage
from models.enums import Channel, Language, Priority

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Sends per number and per client address (a carrier NAT puts many phones behind one address,
# hence the wider limit), and code checks per address across numbers.
SENDS_PER_PHONE = (3, timedelta(minutes=15))
SENDS_PER_ADDRESS = (20, timedelta(hours=1))
CHECKS_PER_ADDRESS = (30, timedelta(minutes=15))
OTP_TEMPLATE = "otp"
MASKED_CODE = "******"


@dataclass(frozen=True)
class Login:
    citizen: Citizen
    tokens: TokenPair
    created: bool


def _code_hash(phone: str, code: str) -> str:
    return keyed_hash(f"otp:{phone}:{code}")


async def _retire_codes(phone: str) -> None:
    """Void the number's open codes and mask them in the outbox: nothing readable is left."""
    now = utc_now()
    open_codes = await OtpCode.filter(phone=phone, used_at__isnull=True)
    if not open_codes:
        return
    await OtpCode.filter(id__in=[c.id for c in open_codes]).update(used_at=now)
    await _mask_messages([c.message_id for c in open_codes])


def body_for_staff(message: OutboxMessage) -> str:
    """What a call-centre agent may read of a message: never a login code, even a live one
    (with it, anyone who reads the screen could sign in as the citizen)."""
    if message.template != OTP_TEMPLATE:
        return message.body
    return text(f"sms.{OTP_TEMPLATE}", message.language, code=MASKED_CODE)


async def _mask_messages(message_ids: list[Any]) -> None:
    for message in await OutboxMessage.filter(id__in=[i for i in message_ids if i is not None]):
        await OutboxMessage.filter(id=message.id).update(
            body=text(f"sms.{OTP_TEMPLATE}", message.language, code=MASKED_CODE),
            params={"code": MASKED_CODE},
        )


async def request_otp(*, phone: str, language: Language, client_address: str) -> None:
    """Send a fresh login code by SMS (urgent: past quiet hours and opt-out); older ones die."""
    e164 = normalise_textable_phone(phone)
    limit, window = SENDS_PER_ADDRESS
    await consume_attempt(key=f"otp:address:{client_address}", limit=limit, window=window)
    limit, window = SENDS_PER_PHONE
    await consume_attempt(key=f"otp:phone:{e164}", limit=limit, window=window)
    code = f"{secrets.randbelow(1_000_000):06d}"
    citizen = await Citizen.get_or_none(phone=e164)
    async with in_transaction():
        await _retire_codes(e164)
        message = await enqueue_message(
            citizen=citizen,
            phone=e164,
            language=citizen.language if citizen is not None else language,
            template=OTP_TEMPLATE,
            params={"code": code},
            priority=Priority.URGENT,
            channel=Channel.SMS,
        )
        await OtpCode.create(
            phone=e164,
            code_hash=_code_hash(e164, code),
            expires_at=utc_now() + CODE_TTL,
            message_id=message.id if message is not None else None,
        )
    logger.info("login code sent to %s", mask_phone(e164))


async def verify_otp(
    *, phone: str, code: str, secret: str, language: Language, client_address: str
) -> Login:
    """Trade a right code for tokens; a first verified login creates the citizen."""
    e164 = normalise_textable_phone(phone)
    limit, window = CHECKS_PER_ADDRESS
    await consume_attempt(key=f"otp-check:address:{client_address}", limit=limit, window=window)
    otp = (
        await OtpCode.filter(phone=e164, used_at__isnull=True, expires_at__gt=utc_now())
        .order_by("-id")
        .first()
    )
    if otp is None:
        raise InvalidInput("otp_expired", "no valid code for this number", status=400)
    # Count the try before comparing, in one conditional UPDATE: parallel guesses cannot
    # slip past the limit, and the 6th try is refused whatever it holds.
    counted = await OtpCode.filter(id=otp.id, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise InvalidInput("otp_locked", "too many wrong codes", status=400)
    if not hmac.compare_digest(otp.code_hash, _code_hash(e164, code.strip())):
        raise InvalidInput("otp_invalid", "wrong code", status=400)
    used = await OtpCode.filter(id=otp.id, used_at__isnull=True).update(used_at=utc_now())
    if not used:
        raise InvalidInput("otp_expired", "code already used", status=400)
    await _mask_messages([otp.message_id])
    await _retire_codes(e164)
    created = not await Citizen.exists(phone=e164)
    citizen = await register_citizen(phone=e164, language=language)
    # Codes sent before the number was a citizen's are theirs now: their inbox and export.
    await OutboxMessage.filter(phone=e164, citizen_id__isnull=True, template=OTP_TEMPLATE).update(
        citizen_id=citizen.id
    )
    tokens = await issue_tokens(citizen=citizen, secret=secret)
    logger.info("login verified for %s", mask_phone(e164))
    return Login(citizen, tokens, created)
