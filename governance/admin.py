from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from carecoop.admin import PolicyAdmin, StaffAdminMixin
from governance.models import Ballot, DividendPolicy, Meeting, Motion

# Votes and who voted are not shown here at all: a secret ballot's rows are read only by the
# count. Meetings, motions and ballots change through the meeting pages, where the rules hold.

M = TypeVar("M", bound=Model)


class _ReadOnly(StaffAdminMixin, SimpleHistoryAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly[Meeting]):
    list_display = ("starts_at", "title", "kind", "format", "members_at_notice")
    list_filter = ("kind", "format")
    date_hierarchy = "starts_at"


@admin.register(Motion)
class MotionAdmin(_ReadOnly[Motion]):
    list_display = ("title", "meeting", "majority", "status", "by_board")
    list_filter = ("status", "majority")
    list_select_related = ("meeting",)


@admin.register(Ballot)
class BallotAdmin(_ReadOnly[Ballot]):
    list_display = ("title", "kind", "method", "status", "opens_at", "closes_at", "eligible_count")
    list_filter = ("kind", "status", "method", "secret")
    exclude = ("result",)


@admin.register(DividendPolicy)
class DividendPolicyAdmin(PolicyAdmin):
    """How advocates' and investors' pools are shared, members who ceased during a year, and the
    most interest on shares the rules allow. An allocation fixes these when it is proposed."""
