from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarecoopConfig(AppConfig):
    """The plumbing every app shares: here, the one email outbox (its model, admin and task)."""

    name = "carecoop"
    verbose_name = _("Site")

    def ready(self) -> None:
        from carecoop import audit, second_factor

        second_factor.connect_signals()
        audit.connect_signals()
