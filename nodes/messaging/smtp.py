"""Email through SMTP: ``SmtpSettings`` (the host's ``smtp`` service) and a batch sender.

``smtplib`` runs in a worker thread; one SMTP session carries the whole batch and is reopened
after a transient failure. 4xx replies and dropped connections are retried with backoff;
5xx replies (a refused recipient) fail that message at once.

>>> msg = build_email(SmtpSettings(host="smtp.example.com", sender="noreply@example.com"),
...                   "kim@example.com", "Hello\\r\\nBcc: evil@x.com", "Body")
>>> msg["Subject"], msg["To"]
('Hello  Bcc: evil@x.com', 'kim@example.com')
"""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from flows.errors import NodeError

__all__ = ["Delivery", "SmtpSettings", "build_email", "parse_recipients", "send_emails"]


class SmtpSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = Field(default=True, description="STARTTLS after connecting.")
    use_ssl: bool = Field(default=False, description="TLS from the first byte (port 465).")
    ca_file: str | None = Field(
        default=None, description="CA bundle to verify the server with (a private CA)."
    )
    sender: str = Field(min_length=3, description="From address.")
    timeout_s: float = Field(default=30, gt=0, le=300)


@dataclass(slots=True)
class Delivery:
    status: str  # sent | failed
    error: str | None
    attempts: int


def parse_recipients(text: str) -> list[str]:
    """Addresses in ``text`` (comma separated); a NodeError for anything else."""
    if "\r" in text or "\n" in text:
        raise NodeError("to: an address may not contain line breaks")
    pairs = getaddresses([text])
    addresses = [addr for _, addr in pairs if addr]
    if not addresses or any("@" not in a or " " in a for a in addresses):
        raise NodeError(f"to: {text!r} is not an email address")
    return addresses


def build_email(settings: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(parse_recipients(to))
    # Row values must never add headers: line breaks in a subject become spaces.
    msg["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    msg.set_content(body)
    return msg


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    # Certificates are always verified; a private CA is given with ca_file, never switched off.
    context = ssl.create_default_context(cafile=settings.ca_file)
    if settings.use_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        if settings.use_tls:
            smtp.starttls(context=context)
    if settings.username:
        password = settings.password.get_secret_value() if settings.password else ""
        smtp.login(settings.username, password)
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return f"recipient refused ({code} {reply.decode(errors='replace')})"
    code = getattr(exc, "smtp_code", None)
    reply = getattr(exc, "smtp_error", b"")
    if code is not None:
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"SMTP {code} {text}".strip()
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_emails(
    settings: SmtpSettings, messages: list[EmailMessage], *, retries: int, backoff_s: float
) -> list[Delivery]:
    """Send each message (blocking: call it in a thread); one Delivery per message."""
    results: list[Delivery] = []
    smtp: smtplib.SMTP | None = None
    try:
        for msg in messages:
            for attempt in range(retries + 1):
                try:
                    if smtp is None:
                        smtp = _open(settings)
                    smtp.send_message(msg)
                    results.append(Delivery("sent", None, attempt + 1))
                    break
                except (smtplib.SMTPException, OSError) as exc:
                    permanent = _permanent(exc)
                    if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                        _close(smtp)  # the session may be unusable: start a new one
                        smtp = None
                    if permanent or attempt == retries:
                        results.append(Delivery("failed", _describe(exc), attempt + 1))
                        break
                    time.sleep(min(backoff_s * 2**attempt, 30.0))
    finally:
        _close(smtp)
    return results
