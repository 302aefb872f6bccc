"""The developer's email backend: each message whole in the folder, one short line in the log."""

import email
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from django.core.mail import EmailMultiAlternatives, get_connection

from carecoop.mailfolder import FolderEmailBackend


def _message(to: str, subject: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, "Dear Ruth,\n\nYour visit is booked.", to=[to])
    message.attach_alternative("<p>Dear Ruth,</p><p>Your visit is booked.</p>", "text/html")
    return message


def test_each_email_goes_whole_to_the_folder_and_one_line_to_the_log(tmp_path, caplog):
    backend = FolderEmailBackend(folder=tmp_path / "emails")
    with caplog.at_level(logging.INFO, logger="carecoop.emails"):
        sent = backend.send_messages(
            [_message("ruth@example.org", "Your visit"), _message("jane@example.org", "Hi")]
        )

    assert sent == 2
    assert sorted(p.name for p in (tmp_path / "emails").iterdir()) == ["001.eml", "002.eml"]
    first = email.message_from_bytes((tmp_path / "emails" / "001.eml").read_bytes())
    assert (first["To"], first["Subject"]) == ("ruth@example.org", "Your visit")
    assert first.is_multipart()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == f"Email to ruth@example.org: Your visit → {tmp_path / 'emails' / '001.eml'}"
    assert all("\n" not in line and "Dear Ruth" not in line for line in lines)


def test_numbers_carry_on_from_the_folder_and_never_overwrite_even_when_sent_at_once(tmp_path):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "007.eml").write_bytes(b"kept")

    def send(i: int) -> int:
        return FolderEmailBackend(folder=folder).send_messages([_message(f"p{i}@example.org", f"n{i}")])

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(send, range(12))) == 12

    assert (folder / "007.eml").read_bytes() == b"kept"
    assert sorted(int(p.stem) for p in folder.iterdir()) == list(range(7, 20))


def test_the_local_settings_use_it_unless_a_mail_server_is_named(settings, tmp_path):
    def backend(**env: str) -> list[str]:
        environ = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DJANGO_SETTINGS_MODULE")}
        code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
        environ |= {
            "DJANGO_SETTINGS_MODULE": "carecoop.settings.local",
            "CARECOOP_VAR_DIR": str(tmp_path),
            **env,
        }
        return subprocess.run(
            [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
        ).stdout.split()[0:2]

    assert backend() == ["carecoop.mailfolder.FolderEmailBackend", str(tmp_path / "emails")]
    assert backend(EMAIL_URL="smtp://localhost:1025")[0] == "django.core.mail.backends.smtp.EmailBackend"

    settings.EMAIL_BACKEND = "carecoop.mailfolder.FolderEmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "from-settings"
    assert get_connection().send_messages([_message("ian@example.org", "Hello")]) == 1
    assert (tmp_path / "from-settings" / "001.eml").exists()
