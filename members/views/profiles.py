"""A member's own profile, with their photo. (Other members' profiles and photos, as each may see
them, are served by matching, which knows who is in whose team.)"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.money import pounds_figure
from members import profiles, selectors, services
from members.forms import (
    ProfileForm,
    WeeklyTimeFormSet,
)
from members.models import MemberClass, Policy, Profile


def _initial_profile(profile: Profile) -> tuple[dict[str, object], list[dict[str, object]]]:
    initial: dict[str, object] = {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "what_matters": profile.what_matters,
        "worker_preferences": profile.worker_preferences,
        "gender": profile.gender,
        "gender_self_described": profile.gender_self_described,
        "interests": profile.interests,
        "postcode": profile.postcode,
        "travel_radius_km": profile.travel_radius_km or 10,
        "max_distance_km": profile.max_distance_km,
        "offers_peer_support": profile.offers_peer_support,
        "languages": list(profile.languages.all()),
        "skills": list(profile.skills.all()),
        "support_wanted": list(profile.support_wanted.all()),
        "lived_experience": list(profile.lived_experience.all()),
    }
    if profile.hourly_rate_pence is not None:
        initial["hourly_rate"] = pounds_figure(profile.hourly_rate_pence)
    if profile.sleep_in_rate_pence is not None:
        initial["sleep_in_rate"] = pounds_figure(profile.sleep_in_rate_pence)
    visibility = profiles.visibility_with_defaults(profile.membership.member_class, profile.visibility)
    initial.update({f"visibility_{name}": audience for name, audience in visibility.items()})
    times = [{"weekday": t.weekday, "starts": t.starts, "ends": t.ends} for t in profile.weekly_times.all()]
    return initial, times


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = selectors.membership_current_for_user(user=request.user)
    if membership is None:
        messages.info(request, _("Your profile opens when you become a member."))
        return redirect("account_overview")
    profile = services.profile_get_or_create(membership=membership)
    profile = selectors.profile_get_for_membership(membership=membership) or profile
    policy = Policy.current()
    initial, times = _initial_profile(profile)
    profile_form = partial(
        ProfileForm,
        initial=initial,
        member_class=membership.member_class,
        rate_bounds=(policy.hourly_rate_min_pence, policy.hourly_rate_max_pence),
        sleep_in_bounds=(policy.sleep_in_rate_min_pence, policy.sleep_in_rate_max_pence),
        private=profiles.private_fields_for(membership.member_class),
    )
    has_times = membership.member_class in (MemberClass.WORKER, MemberClass.RECEIVER)
    if request.method == "POST":
        form = profile_form(request.POST, request.FILES)
        formset = WeeklyTimeFormSet(request.POST, prefix="times") if has_times else None
    else:
        form = profile_form()
        formset = WeeklyTimeFormSet(initial=times, prefix="times") if has_times else None
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        weekly_times = (
            [
                (row["weekday"], row["starts"], row["ends"])
                for row in formset.cleaned_data
                if row and not row.get("DELETE") and row.get("weekday") is not None
            ]
            if formset is not None
            else None
        )
        upload = form.cleaned_data.get("photo")
        try:
            services.profile_save(
                profile=profile,
                by=request.user,
                changes=form.changes(),
                visibility=form.visibility(),
                weekly_times=weekly_times,
                photo=(upload, upload.size) if upload else None,
                remove_photo=form.cleaned_data.get("remove_photo", False),
            )
        except ApplicationError as error:
            # The service's rates in pence are the form's pounds: each refusal beside its field.
            form_add_application_error(
                form,
                error,
                aliases={"hourly_rate_pence": "hourly_rate", "sleep_in_rate_pence": "sleep_in_rate"},
            )
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile_edit")
    context = {
        "form": form,
        "formset": formset,
        "profile": profile,
        "photo_kept": selectors.profile_photo_kept(profile=profile),
        "membership": membership,
        "times_label": _("When I need support")
        if membership.member_class == MemberClass.RECEIVER
        else _("When I am free to work"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "members/profile_edit.html", context, status=status)
