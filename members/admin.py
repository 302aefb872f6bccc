from typing import TypeVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from carecoop.admin import DeletionsLoggedOneByOne, KeptForeverAdmin, PolicyAdmin, StaffAdminMixin
from members.models import (
    Application,
    GoverningDocument,
    Language,
    LivedExperience,
    Membership,
    Policy,
    PostcodeDistrict,
    ShareTransaction,
    Skill,
    TrainingCourse,
    User,
)

M = TypeVar("M", bound=Model)


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


# The stubs bind UserAdmin to AbstractUser; Django's works with any user model whose fieldsets it is
# given, as here (User has an email, no username).
@admin.register(User)
class UserAdmin(DeletionsLoggedOneByOne, DjangoUserAdmin[User]):  # type: ignore[type-var]
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )


admin.site.register(Policy, PolicyAdmin)


@admin.register(GoverningDocument)
class GoverningDocumentAdmin(KeptForeverAdmin[GoverningDocument]):
    list_display = ("kind", "version", "title", "published_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "version", "title", "body", "published_at", "published_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # published from the staff page, which numbers the versions


@admin.register(Application)
class ApplicationAdmin(KeptForeverAdmin[Application]):
    list_display = ("legal_name", "member_class", "status", "submitted_at")
    list_filter = ("status", "member_class")
    search_fields = ("legal_name", "user__email", "postcode")
    readonly_fields = [field.name for field in Application._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(KeptForeverAdmin[Membership], SimpleHistoryAdmin[Membership]):
    list_display = ("number", "legal_name", "member_class", "date_admitted", "date_ceased")
    list_filter = ("member_class",)
    search_fields = ("legal_name", "user__email", "postcode", "=number")
    # Changes go through the staff pages, whose services keep the rules and the history.
    readonly_fields = [field.name for field in Membership._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ShareTransaction)
class ShareTransactionAdmin(KeptForeverAdmin[ShareTransaction]):
    list_display = ("membership", "kind", "shares", "amount_pence", "date", "reference")
    list_filter = ("kind",)
    readonly_fields = [field.name for field in ShareTransaction._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Skill, Language, LivedExperience, TrainingCourse)
class VocabularyAdmin(StaffAdminMixin, admin.ModelAdmin[Skill | Language | LivedExperience | TrainingCourse]):
    """The words members choose from. Retire a word by unticking "offered": profiles keep it."""

    list_display = ("name", "is_active")
    list_editable = ("is_active",)
    search_fields = ("name",)


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(StaffAdminMixin, admin.ModelAdmin[PostcodeDistrict]):
    list_display = ("outward_code", "latitude", "longitude")
    search_fields = ("outward_code",)
