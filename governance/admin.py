from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecoop.admin import StaffAdminMixin
from governance.models import Ballot, Meeting, Motion

# Votes and who voted are not shown here at all: a secret ballot's rows are read only by the
# count. Meetings, motions and ballots change through the meeting pages, where the rules hold.


class _ReadOnly(StaffAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly):
    list_display = ("starts_at", "title", "kind", "format", "members_at_notice")
    list_filter = ("kind", "format")
    date_hierarchy = "starts_at"


@admin.register(Motion)
class MotionAdmin(_ReadOnly):
    list_display = ("title", "meeting", "majority", "status", "by_board")
    list_filter = ("status", "majority")
    list_select_related = ("meeting",)


@admin.register(Ballot)
class BallotAdmin(_ReadOnly):
    list_display = ("title", "kind", "method", "status", "opens_at", "closes_at", "eligible_count")
    list_filter = ("kind", "status", "method", "secret")
    exclude = ("result",)
