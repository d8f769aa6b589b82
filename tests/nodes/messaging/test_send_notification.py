"""send_notification through a real SMTP server (aiosmtpd) and a real webhook on loopback."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pandas as pd
import pytest

from flows.errors import NodeError
from nodes.base import NodeContext
from nodes.messaging.http import HttpPolicy
from nodes.messaging.send_notification import SendNotification
from nodes.messaging.smtp import SmtpSettings
from tests.nodes.messaging.servers import Api, Mailbox

TARGETS = pd.DataFrame(
    {
        "name": ["김민지", "Ann"],
        "email": ["minji@example.com", "ann@example.org"],
        "plan": ["Pro", "Free"],
    }
)
EMAIL = {"channel": "email", "to": "{{email}}", "subject": "{{name}}님 안내",
         "template": "안녕하세요 {{name}}님, {{plan}} 플랜입니다."}  # fmt: skip


def _smtp(port: int, **extra: object) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, use_tls=False, sender="noreply@maxdp.test",
                        **extra)  # fmt: skip


async def _notify(df: pd.DataFrame, services: dict, **config: object) -> pd.DataFrame:
    node = SendNotification("n", config)
    return (await node.arun({"in": df}, NodeContext(services=services)))["out"]


def _parsed(mailbox: Mailbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(m["raw"], policy=policy.default) for m in mailbox.messages]


def _expected(template: str, row: dict) -> str:
    for key, value in row.items():
        template = template.replace("{{" + key + "}}", str(value))
    return template


async def test_email_arrives_with_the_rendered_body(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    log = await _notify(TARGETS, {"smtp": _smtp(port)}, **EMAIL)
    assert log["status"].tolist() == ["sent", "sent"]
    assert log["error"].isna().all() and log["attempts"].tolist() == [1, 1]
    messages = _parsed(mailbox)
    assert [m["to"] for m in mailbox.messages] == [["minji@example.com"], ["ann@example.org"]]
    for msg, row in zip(messages, TARGETS.to_dict("records"), strict=True):
        assert msg["Subject"] == _expected(EMAIL["subject"], row)
        assert msg.get_content().strip() == _expected(EMAIL["template"], row)
        assert msg["From"] == "noreply@maxdp.test"
    rows = TARGETS.to_dict("records")
    assert log["message"].tolist() == [_expected(EMAIL["template"], r) for r in rows]


async def test_email_over_starttls_verifies_the_certificate(
    smtp_starttls: tuple[Mailbox, int, Path],
) -> None:
    mailbox, port, cert = smtp_starttls
    settings = _smtp(port).model_copy(update={"use_tls": True, "ca_file": str(cert)})
    log = await _notify(TARGETS.iloc[:1], {"smtp": settings}, **EMAIL)
    assert log["status"].tolist() == ["sent"] and len(mailbox.messages) == 1
    # Without the CA the certificate is not trusted: nothing is sent.
    untrusted = settings.model_copy(update={"ca_file": None})
    log = await _notify(TARGETS.iloc[:1], {"smtp": untrusted}, **EMAIL, retries=0)
    assert log["status"].tolist() == ["failed"] and "CERTIFICATE_VERIFY_FAILED" in log["error"][0]
    plain = settings.model_copy(update={"use_tls": False})
    log = await _notify(TARGETS.iloc[:1], {"smtp": plain}, **EMAIL, retries=0)
    assert log["status"].tolist() == ["failed"] and len(mailbox.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_email_with_login(smtp_login: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_login
    settings = _smtp(port, username="mailer", password="s3cret")
    log = await _notify(TARGETS.iloc[:1], {"smtp": settings}, **EMAIL)
    assert log["status"].tolist() == ["sent"] and mailbox.messages[0]["login"] == b"mailer"
    wrong = _smtp(port, username="mailer", password="nope")
    log = await _notify(TARGETS.iloc[:1], {"smtp": wrong}, **EMAIL, retries=2)
    assert log["status"].tolist() == ["failed"] and log["attempts"].tolist() == [1]
    assert log["error"].iloc[0].startswith("SMTP 535")


async def test_one_bad_address_does_not_stop_the_others(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    targets = pd.DataFrame(
        {"name": ["a", "b", "c"], "email": ["a@x.test", "not an address", "c@x.test\nBcc: e@x"],
         "plan": ["p", "p", "p"]}
    )  # fmt: skip
    log = await _notify(targets, {"smtp": _smtp(port)}, **EMAIL)
    assert log["status"].tolist() == ["sent", "failed", "failed"]
    assert log["error"].tolist()[1:] == [
        "to: 'not an address' is not an email address",
        "to: an address may not contain line breaks",
    ]
    assert [m["to"] for m in mailbox.messages] == [["a@x.test"]]


async def test_header_injection_through_the_subject_is_flattened(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    targets = TARGETS.iloc[:1].assign(name="x\r\nBcc: victim@example.com")
    await _notify(targets, {"smtp": _smtp(port)}, **EMAIL)
    (msg,) = _parsed(mailbox)
    assert msg["Bcc"] is None and mailbox.messages[0]["to"] == ["minji@example.com"]
    assert "Bcc: victim@example.com" in msg["Subject"]


async def test_temporary_smtp_failure_is_retried(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    mailbox.temporary_failures = 1
    log = await _notify(TARGETS.iloc[:1], {"smtp": _smtp(port)}, **EMAIL, retry_backoff_s=0.01)
    assert log[["status", "attempts"]].values.tolist() == [["sent", 2]]
    assert len(mailbox.messages) == 1


async def test_dry_run_renders_and_sends_nothing(smtp: tuple[Mailbox, int]) -> None:
    mailbox, _ = smtp
    log = await _notify(TARGETS, {}, **EMAIL, dry_run=True)
    rows = TARGETS.to_dict("records")
    assert log["to"].tolist() == TARGETS["email"].tolist()
    assert log["subject"].tolist() == [_expected(EMAIL["subject"], r) for r in rows]
    assert log["message"].tolist() == [_expected(EMAIL["template"], r) for r in rows]
    assert log["status"].tolist() == ["dry_run", "dry_run"] and mailbox.messages == []


async def test_email_without_smtp_settings() -> None:
    with pytest.raises(NodeError, match="channel: email needs the server's SMTP settings"):
        await _notify(TARGETS, {}, **EMAIL)


async def test_missing_variable_fails_before_anything_is_sent(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    targets = TARGETS.assign(plan=["Pro", None])
    with pytest.raises(NodeError, match=r"template: variable \{\{plan\}\} has no value in row 1"):
        await _notify(targets, {"smtp": _smtp(port)}, **EMAIL)
    assert mailbox.messages == []


async def test_webhook_posts_json_and_logs_only_the_host(api: Api) -> None:
    services = {"http_policy": HttpPolicy(allow_private=True)}
    log = await _notify(
        TARGETS, services, channel="webhook", url=f"{api.base}/hook/T0/SECRET",
        subject="{{plan}}", template="{{name}}: hi",
    )  # fmt: skip
    assert [json.loads(c["body"]) for c in api.received("/hook/T0/SECRET")] == [
        {"text": "김민지: hi", "subject": "Pro"},
        {"text": "Ann: hi", "subject": "Free"},
    ]
    assert log["status"].tolist() == ["sent", "sent"]
    assert log["to"].tolist() == ["http://127.0.0.1"] * 2  # the token in the path stays out


async def test_webhook_failures_are_logged_per_message(api: Api) -> None:
    services = {"http_policy": HttpPolicy(allow_private=True)}
    log = await _notify(TARGETS, services, channel="webhook", url=f"{api.base}/fail",
                        template="x", retries=1, retry_backoff_s=0.01)  # fmt: skip
    assert log["status"].tolist() == ["failed", "failed"]
    assert log["error"].iloc[0].startswith("status 500")
    assert log["attempts"].tolist() == [2, 2]


async def test_webhook_private_address_refused(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAXDP_HTTP_ALLOW_PRIVATE", raising=False)
    with pytest.raises(NodeError, match=r"url: 127\.0\.0\.1 is a loopback address"):
        await _notify(TARGETS, {}, channel="webhook", url=f"{api.base}/hook", template="x")
    assert api.calls == []


def test_config_errors() -> None:
    with pytest.raises(Exception, match="channel email needs 'to'"):
        SendNotification("n", {"channel": "email", "template": "x"})
    with pytest.raises(Exception, match="channel webhook needs 'url'"):
        SendNotification("n", {"channel": "webhook", "template": "x"})
    with pytest.raises(Exception, match="channel"):
        SendNotification("n", {"channel": "sms", "template": "x"})
