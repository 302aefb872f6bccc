"""Members' requests about their data (UK GDPR), and this app's part of an erasure: contact
details, the profile and its photos, the emergency contact, vetting details, in the rows and in
their history. The register of members is not touched (Co-operative and Community Benefit
Societies Act 2014, s.30): name, address, class, dates and shares stay, with their history."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.permissions import is_staff
from members import selectors
from members.models import (
    Application,
    CircleMember,
    DataRequest,
    EmergencyContact,
    Profile,
    User,
    VettingCheck,
    WeeklyTime,
)

NOTE_MAX = 1000
# RFC 2606 keeps .invalid for names that can never be delivered to.
ERASED_EMAIL = "erased-{pk}@erased.invalid"


@transaction.atomic
def data_request_make(*, user: User, kind: str, note: str = "") -> DataRequest:
    if kind not in DataRequest.Kind.values:
        raise ApplicationError(
            _("Choose what you are asking for."), code="invalid", fields={"kind": [_("Choose one.")]}
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("Keep it under %(n)s characters.") % {"n": NOTE_MAX},
            code="too_long",
            fields={"note": ["too_long"]},
        )
    already_asked = ConflictError(
        _("You have already asked: the office will answer that first."), code="already_asked"
    )
    if DataRequest.objects.filter(user=user, kind=kind, status=DataRequest.Status.OPEN).exists():
        raise already_asked
    try:
        with transaction.atomic():
            return DataRequest.objects.create(user=user, kind=kind, note=note)
    except IntegrityError as error:  # the same request, sent at the same moment, was first
        raise already_asked from error


@transaction.atomic
def data_request_answer(*, data_request: DataRequest, by: User, status: str, answer: str) -> DataRequest:
    """Close a request by hand: a copy sent (done), or refused, with the answer given."""
    if not is_staff(by):
        raise NotAllowedError(_("Only the co-op's staff answer requests."), code="not_allowed")
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if data_request.status != DataRequest.Status.OPEN:
        raise ConflictError(_("This request has already been answered."), code="already_answered")
    if status not in (DataRequest.Status.DONE, DataRequest.Status.REFUSED):
        raise ApplicationError(_("Say whether it is done or refused."), code="invalid")
    if status == DataRequest.Status.DONE and data_request.kind == DataRequest.Kind.ERASURE:
        raise ApplicationError(_("An erasure is done by erasing, not by hand."), code="erase_to_finish")
    if status == DataRequest.Status.REFUSED and not answer.strip():
        raise ApplicationError(
            _("Say why it is refused: the member is told."),
            code="reason_required",
            fields={"answer": ["required"]},
        )
    data_request.status = status
    data_request.answer = answer.strip()[:NOTE_MAX]
    data_request.answered_by = by
    data_request.answered_at = timezone.now()
    data_request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    staff_action_record(
        by=by,
        action="data_request.answer",
        summary=f"Answered request {data_request.pk} about a member's data "
        f"({data_request.get_kind_display()}): {data_request.get_status_display()}",
        member=data_request.user,
    )
    return data_request


def member_details_erase(*, user: User) -> dict[str, int]:
    """Empty this app's personal details of the user, in rows and history; the caller holds the
    transaction and has checked the rules. Photo files go once the erasure commits."""
    membership_ids = list(user.memberships.values_list("pk", flat=True))
    profiles = Profile.objects.filter(membership_id__in=membership_ids)
    old_profiles = Profile.history.filter(membership_id__in=membership_ids)
    photos = {
        name
        for name in [*profiles.values_list("photo", flat=True), *old_profiles.values_list("photo", flat=True)]
        if name
    }
    blank_profile: dict[str, Any] = {
        "display_name": "",
        "photo": "",
        "bio": "",
        "interests": "",
        "postcode": "",
        "district": None,
        "gender": "",
        "gender_self_described": "",
        "what_matters": "",
        "worker_preferences": "",
        "visibility": {},
    }
    removed = {
        "photos": len(photos),
        "profile": profiles.update(latitude=None, longitude=None, **blank_profile),
        "profile_history": old_profiles.update(**blank_profile),
        "weekly_times": WeeklyTime.objects.filter(profile__membership_id__in=membership_ids).delete()[0],
    }
    for profile in profiles:
        for words in (profile.languages, profile.skills, profile.support_wanted, profile.lived_experience):
            words.clear()
    removed["emergency_contact"] = EmergencyContact.objects.filter(membership_id__in=membership_ids).delete()[
        0
    ]
    removed["emergency_contact_history"] = EmergencyContact.history.filter(
        membership_id__in=membership_ids
    ).delete()[0]
    # What someone told us when applying is not the register's: their phone, date of birth, why
    # they wanted to join and why they were answered as they were go from every application. An
    # application that never made them a member keeps no name or address either (one that did
    # has them on the register).
    blank_application: dict[str, Any] = {
        "phone": "",
        "reason": "",
        "date_of_birth": None,
        "decision_reason": "",
    }
    removed["application_contact"] = Application.objects.filter(user=user).update(**blank_application)
    Application.history.filter(user_id=user.pk).update(**blank_application)
    never_admitted = list(
        Application.objects.filter(user=user, membership__isnull=True).values_list("pk", flat=True)
    )
    blank_applicant = {"legal_name": "", "address": "", "postcode": ""}
    removed["applications_never_admitted"] = Application.objects.filter(pk__in=never_admitted).update(
        **blank_applicant
    )
    Application.history.filter(id__in=never_admitted).update(**blank_applicant)
    blank_vetting = {
        "certificate_number": "",
        "document": "",
        "referee_name": "",
        "referee_relationship": "",
        "notes": "",
        "void_reason": "",
    }
    removed["vetting_details"] = VettingCheck.objects.filter(membership_id__in=membership_ids).update(
        **blank_vetting
    )
    VettingCheck.history.filter(membership_id__in=membership_ids).update(**blank_vetting)
    # The people the member invited into their circle: their names and addresses go too. Each
    # row gets its own address: two invitations still waiting may not share one.
    blank_circle = {"name": "", "email": _erased_circle_email()}
    removed["circle_contacts"] = CircleMember.objects.filter(receiver_id__in=membership_ids).update(
        **blank_circle
    )
    CircleMember.history.filter(receiver_id__in=membership_ids).update(**blank_circle)
    # Their own places in other people's circles (and invitations to one, at any of their
    # addresses): that it was them stays on the other person's record, by the account, but their
    # name and address go, in the history too.
    theirs = Q(supporter=user) | selectors.addressed_to(user=user, field="email")
    places = list(CircleMember.objects.filter(theirs).values_list("pk", flat=True))
    removed["places_in_circles"] = CircleMember.objects.filter(pk__in=places).update(**blank_circle)
    CircleMember.history.filter(id__in=places).update(**blank_circle)
    removed["email_addresses"] = user.emailaddress_set.all().delete()[0]  # type: ignore[attr-defined]
    # The ways in to the account: none works once it is made inactive below, and none is kept.
    removed["api_tokens"] = AuthToken.objects.filter(user=user).delete()[0]
    removed["authenticators"] = Authenticator.objects.filter(user=user).delete()[0]
    user.email = ERASED_EMAIL.format(pk=user.pk)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "is_active", "password"])
    transaction.on_commit(lambda: _photos_delete(photos))
    return {kind: count for kind, count in removed.items() if count}


def _erased_circle_email() -> Concat:
    return Concat(
        Value("erased-circle-"), Cast("id", CharField()), Value("@erased.invalid"), output_field=CharField()
    )


def _photos_delete(names: set[str]) -> None:
    for name in names:
        default_storage.delete(name)
