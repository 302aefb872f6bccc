"""An email backend for a developer's machine: each message is written whole to a folder
(`var/emails/` unless EMAIL_FILE_PATH says otherwise) as a .eml file any mail program opens,
and the terminal gets one short line saying who it went to, what about, and where it is."""

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("carecoop.emails")

_numbering = threading.Lock()


class FolderEmailBackend(BaseEmailBackend):
    def __init__(
        self, *, fail_silently: bool = False, folder: str | Path | None = None, **kwargs: Any
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(
            folder or getattr(settings, "EMAIL_FILE_PATH", None) or settings.VAR_DIR / "emails"
        )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                path = self._write(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            shown = self._shown(path)
            logger.info("Email to %s: %s → %s", ", ".join(message.recipients()), message.subject, shown)
            sent += 1
        return sent

    def _write(self, message: EmailMessage) -> Path:
        """The next number in the folder (001.eml, 002.eml, ...); `x` mode never overwrites one,
        so two senders at once take different numbers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        content = message.message().as_bytes()
        with _numbering:
            number = 1 + max((int(p.stem) for p in self.folder.glob("*.eml") if p.stem.isdigit()), default=0)
            while True:
                path = self.folder / f"{number:03d}.eml"
                try:
                    with path.open("xb") as file:
                        file.write(content)
                except FileExistsError:
                    number += 1
                    continue
                return path

    @staticmethod
    def _shown(path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
