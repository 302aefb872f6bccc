"""Ballots: the list, one ballot and its vote, the receipt shown once, staff's actions, and
setting a ballot up. A refusal shows the service's message and changes nothing."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.emails import absolute_url
from carecoop.exceptions import ApplicationError, ConflictError, NotFoundError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from governance import permissions, selectors, services
from governance.forms.ballots import BallotCreateForm, StandForm, VoteForm
from governance.models import SEAT_CLASS_MEMBERS, Ballot, Meeting, Motion
from governance.views.common import ballot_or_404, int_param, runs, staff_only
from members import selectors as member_selectors

# The receipt travels from the vote to the page that shows it in a signed cookie that lives in
# the voter's browser for a few minutes and is read once: never in the database, not even in
# the session table (rule 7).
RECEIPT_SALT = "governance.ballot-receipt"


RECEIPT_SHOWN_FOR_SECONDS = 600

# The receipt page carries the receipt and the choice in a signed form field, so that the voter
# can download them as a file: posted back (never in an address, which servers log) within the
# hour, by the same user, and not kept.
RECEIPT_DOWNLOAD_SALT = "governance.ballot-receipt-download"
RECEIPT_DOWNLOAD_FOR_SECONDS = 3600


@login_required
def ballots(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        listing = selectors.ballots_listing(user=request.user)
    except NotFoundError as error:
        raise Http404 from error
    return render(request, "governance/ballot_list.html", {"listing": listing})


def _receipt_cookie(pk: int) -> str:
    return f"ballot_receipt_{pk}"


@login_required
def ballot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    standing = selectors.voter_standing(ballot=ballot, user=request.user)
    now = timezone.now()
    is_open = ballot.status == Ballot.Status.OPEN and ballot.closes_at > now
    proxies = selectors.proxies_usable_on_ballot(ballot=ballot, user=request.user) if is_open else []
    # A proxy can no longer vote for a member who voted themselves, nor change a vote it cast
    # where changes are not allowed: those are listed, but not offered on the form.
    usable = [
        p for p in proxies if not p.appointer_voted_self and (ballot.changes_allowed or not p.appointer_voted)
    ]
    candidates = list(getattr(ballot, "standing", []))
    my_candidacy = next((c for c in candidates if c.membership.user_id == request.user.pk), None)
    voted_for_someone = any(p.appointer_voted for p in usable)
    posted = request.POST if request.method == "POST" else None
    standing_up = posted is not None and "statement" in posted
    vote_form = VoteForm(
        None if standing_up else posted,
        ballot=ballot,
        candidates=candidates,
        proxies=usable,
        # A member whose proxy has voted for them cannot vote themselves on this ballot.
        voter=me if standing.eligible and not standing.voted_by_proxy else None,
        voter_voted=standing.voted,
        ask_receipt=ballot.secret and ballot.changes_allowed and (standing.voted or voted_for_someone),
    )
    stand_form = StandForm(posted if standing_up else None)
    if standing_up and stand_form.is_valid():
        try:
            services.candidate_stand(
                ballot=ballot, user=request.user, statement=stand_form.cleaned_data["statement"]
            )
        except ApplicationError as error:
            form_add_application_error(stand_form, error)
        else:
            messages.success(request, _("You are standing in this election."))
            return redirect("ballot_detail", ballot.pk)
    elif posted is not None and vote_form.is_valid():
        for_member = vote_form.chosen_member()
        try:
            receipt = services.vote_cast(
                ballot=ballot,
                user=request.user,
                choice=vote_form.cleaned_data.get("choice", ""),
                ranking=vote_form.cleaned_data.get("ranking", ()),
                for_member=for_member,
                receipt=vote_form.cleaned_data.get("receipt", ""),
            )
        except ApplicationError as error:
            form_add_application_error(vote_form, error, aliases={"ranking": "rank_1"})
        else:
            response = redirect("ballot_voted", ballot.pk)
            if for_member is None:
                changed = standing.voted
            else:
                changed = any(p.appointer_id == for_member.pk and p.appointer_voted for p in usable)
            value = {
                "user": request.user.pk,
                "receipt": receipt,
                "for": for_member.pk if for_member else None,
                "changed": changed,
                # The choice rides to the receipt page in this cookie, in the voter's own
                # browser, and nowhere else (decision 0032).
                "said": vote_form.choice_in_words(),
            }
            response.set_cookie(
                _receipt_cookie(ballot.pk),
                signing.dumps(value, salt=RECEIPT_SALT),
                max_age=RECEIPT_SHOWN_FOR_SECONDS,
                path=reverse("ballot_voted", args=[ballot.pk]),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    motion_text = selectors.motion_current_version(motion=ballot.motion) if ballot.motion else None
    # The one that would vote for me, as the vote chooses it.
    my_proxy = (
        selectors.proxy_applying_for(ballot=ballot, membership=me) if me is not None and is_open else None
    )
    # An election is voted by the members of the class whose seats it fills.
    other_class = (
        ballot.kind == Ballot.Kind.ELECTION
        and me is not None
        and me.member_class not in SEAT_CLASS_MEMBERS.get(ballot.seat_class, ())
    )
    can_stand = my_candidacy is None and permissions.may_stand(me, ballot)
    context = {
        "ballot": ballot,
        "me": me,
        "standing": standing,
        "proxies": proxies,
        "candidates": candidates,
        "my_candidacy": my_candidacy,
        "my_proxy": my_proxy,
        "other_class": other_class,
        "motion_text": motion_text,
        "papers": selectors.ballot_papers(ballot=ballot),
        "is_open": is_open,
        "show_vote": bool(vote_form.errors)
        or (
            is_open
            and (
                (
                    standing.eligible
                    and not standing.voted_by_proxy
                    and (not standing.voted or ballot.changes_allowed)
                )
                or bool(usable)
            )
        ),
        "form": stand_form if stand_form.errors else vote_form,
        "vote_form": vote_form,
        "stand_form": stand_form,
        "can_stand": can_stand or bool(stand_form.errors),
        "runs": runs(request, ballot, me),
        "can_close": ballot.status == Ballot.Status.OPEN
        and (ballot.method == Ballot.Method.AT_MEETING or ballot.closes_at <= now),
        "past_closing": ballot.status != Ballot.Status.CLOSED and ballot.closes_at <= now,
        # Offered only when opening can work: a vote at a meeting while the meeting is on, an
        # online ballot once its opening time has come (it opens by itself within a minute).
        "can_open": ballot.status == Ballot.Status.DRAFT
        and ballot.closes_at > now
        and (
            ballot.meeting.in_session(now)
            if ballot.method == Ballot.Method.AT_MEETING and ballot.meeting is not None
            else ballot.method == Ballot.Method.ONLINE and ballot.opens_at <= now
        ),
        "can_appoint": me is not None
        and ballot.closes_at > now
        and not standing.voted
        and (
            ballot.status == Ballot.Status.DRAFT
            or (ballot.status == Ballot.Status.OPEN and standing.eligible)
        ),
    }
    return render(request, "governance/ballot_detail.html", context)


@login_required
def ballot_voted(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The receipt, shown once, just after the vote."""
    ballot = ballot_or_404(request, pk)
    name = _receipt_cookie(ballot.pk)
    try:
        value = signing.loads(
            request.COOKIES.get(name, ""), salt=RECEIPT_SALT, max_age=RECEIPT_SHOWN_FOR_SECONDS
        )
    except signing.BadSignature:
        value = None
    if not isinstance(value, dict) or value.get("user") != request.user.pk:
        messages.info(request, _("A vote's receipt is shown once, just after voting."))
        return redirect("ballot_detail", ballot.pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    held = selectors.proxies_usable_on_ballot(ballot=ballot, user=request.user)
    for_member = next((p.appointer for p in held if p.appointer_id == value.get("for")), None)
    voter = for_member or me
    # The votes the user still has to cast on this ballot: their own, and those they owe as proxy.
    standing = selectors.voter_standing(ballot=ballot, user=request.user)
    owed = [p.appointer for p in held if not p.appointer_voted]
    said = [str(line) for line in value.get("said") or []]
    download = {
        "user": request.user.pk,
        "ballot": ballot.pk,
        "receipt": value["receipt"],
        "said": said,
        "for": for_member.shown_name if for_member else "",
    }
    context = {
        "said": said,
        "download_token": signing.dumps(download, salt=RECEIPT_DOWNLOAD_SALT),
        "still_to_vote": owed,
        "own_vote_owed": standing.eligible and not standing.voted,
        "ballot": ballot,
        "receipt": value["receipt"],
        "receipt_groups": str(value["receipt"]).split("-"),
        "for_member": for_member,
        "changed": bool(value.get("changed")),
        "storage_key": f"carecoop-receipt:{ballot.pk}:{voter.number if voter else ''}",
    }
    response = render(request, "governance/ballot_voted.html", context)
    response.delete_cookie(name, path=reverse("ballot_voted", args=[ballot.pk]))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def ballot_receipt_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The receipt just shown, as a small text file to keep: the code and the vote it is for."""
    ballot = ballot_or_404(request, pk)
    try:
        value = signing.loads(
            request.POST.get("token", ""), salt=RECEIPT_DOWNLOAD_SALT, max_age=RECEIPT_DOWNLOAD_FOR_SECONDS
        )
    except signing.BadSignature:
        value = None
    if (
        not isinstance(value, dict)
        or value.get("user") != request.user.pk
        or value.get("ballot") != ballot.pk
    ):
        messages.error(request, _("A receipt can be downloaded only from the page shown just after voting."))
        return redirect("ballot_detail", ballot.pk)
    text = render_to_string(
        "governance/ballot_receipt.txt",
        {
            "ballot": ballot,
            "receipt": value["receipt"],
            "said": value.get("said") or [],
            "for_name": value.get("for") or "",
            "receipts_url": absolute_url("ballot_receipts", ballot.pk),
        },
        request=request,
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-receipt-ballot-{ballot.pk}.txt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def ballot_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons on a ballot's page: open, close and declare (staff or the chair) and a
    candidate's withdrawal."""
    ballot = ballot_or_404(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    done = {
        "open": _("The ballot is open."),
        "close": _("The ballot is closed and counted."),
        "declare": _("The result is declared."),
        "withdraw": _("You have withdrawn from the election."),
    }
    if action not in done:
        raise Http404
    if action != "withdraw" and not runs(request, ballot, me):
        raise PermissionDenied
    try:
        if action == "open":
            services.ballot_open(ballot=ballot, user=request.user)
        elif action == "close":
            services.ballot_close(ballot=ballot, user=request.user)
        elif action == "declare":
            services.ballot_declare(ballot=ballot, user=request.user)
        else:
            mine = next(
                (c for c in getattr(ballot, "standing", []) if c.membership.user_id == request.user.pk), None
            )
            if mine is None:
                raise ConflictError(_("You are not standing in this election."), code="not_standing")
            services.candidate_withdraw(candidate=mine, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done[action])
    return redirect("ballot_results" if action in ("close", "declare") else "ballot_detail", ballot.pk)


@login_required
@submitted_once
def ballot_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff_only(request)
    motion_id, meeting_id = int_param(request, "motion"), int_param(request, "meeting")
    motion: Motion | None = None
    meeting: Meeting | None = None
    try:
        if motion_id is not None:
            motion = selectors.motion_get_for_user(user=request.user, pk=motion_id)
            meeting = motion.meeting
        elif meeting_id is not None:
            meeting = selectors.meeting_get_for_user(user=request.user, pk=meeting_id)
    except NotFoundError as error:
        raise Http404 from error
    if meeting is None:
        context = {
            "motions": list(
                selectors.motions_for_user(user=request.user).filter(
                    status=Motion.Status.TABLED, ballots__isnull=True
                )[:50]
            ),
            "meetings": list(selectors.upcoming_meetings(user=request.user)[:20]),
        }
        return render(request, "governance/ballot_create.html", context)
    # An online ballot (the default) opens at the next hour and closes when the meeting starts,
    # as members expect; a vote taken at the meeting takes the meeting's own times.
    next_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    online = next_hour < meeting.starts_at
    initial: dict[str, Any] = {
        "title": motion.title if motion else _("Board election"),
        "opens_at": timezone.localtime(next_hour if online else meeting.starts_at),
        "closes_at": timezone.localtime(meeting.starts_at if online else meeting.ends_at),
        "method": Ballot.Method.ONLINE if online else Ballot.Method.AT_MEETING,
    }
    form = BallotCreateForm(request.POST or None, election=motion is None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ballot = services.ballot_create(
                user=request.user,
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                motion=motion,
                meeting=meeting,
                seat_class=data.get("seat_class", ""),
                seats=data.get("seats") or 0,
                method=data["method"],
                secret=data["secret"],
                changes_allowed=data["changes_allowed"],
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(
                request,
                _("The ballot is set up. It opens at %(at)s on %(day)s.")
                % {
                    "at": f"{timezone.localtime(ballot.opens_at):%H:%M}",
                    "day": f"{timezone.localtime(ballot.opens_at):%A %-d %B}",
                },
            )
            return redirect("ballot_detail", ballot.pk)
    context = {"form": form, "motion": motion, "meeting": meeting}
    return render(request, "governance/ballot_create.html", context)
