"""The browser door onto ballots: the list, one ballot and its vote, the receipt, results and the
receipts list, setting a ballot up, and proxies. Each view calls the governance services and
selectors; a refusal shows the service's message and changes nothing."""

import csv
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.db import number_from_text
from carecoop.exceptions import ApplicationError, ConflictError, NotFoundError
from carecoop.forms import form_add_application_error
from governance import selectors, services
from governance.ballot_forms import BallotCreateForm, ProxyForm, ReceiptCheckForm, StandForm, VoteForm
from governance.models import SEAT_CLASS_MEMBERS, Ballot, GovernancePolicy, Meeting, Motion, Proxy
from governance.receipts import receipt_hash
from members import selectors as member_selectors
from members.models import MemberClass, Membership

# The receipt travels from the vote to the page that shows it in a signed cookie that lives in
# the voter's browser for a few minutes and is read once: never in the database, not even in
# the session table (rule 7).
RECEIPT_SALT = "governance.ballot-receipt"
RECEIPT_SHOWN_FOR_SECONDS = 600
CLASS_NAMES = dict(MemberClass.choices)


def _taking_part(request: HttpRequest) -> None:
    if not selectors.can_take_part(request.user):
        raise Http404


def _ballot(request: HttpRequest, pk: int) -> Ballot:
    try:
        return selectors.ballot_get_for_user(user=request.user, pk=pk)
    except NotFoundError as error:
        raise Http404 from error


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    number = number_from_text(value)
    if number is None:
        raise Http404
    return number


def _runs(request: HttpRequest, ballot: Ballot, me: Membership | None) -> bool:
    """Staff, or the chair of the ballot's meeting: they open, close and declare."""
    chair = ballot.meeting.chair_id if ballot.meeting is not None else None
    return bool(request.user.is_staff or (me is not None and chair is not None and chair == me.pk))


# --- The list ---------------------------------------------------------------------------------


@login_required
def ballots(request: HttpRequest) -> HttpResponse:
    try:
        listing = selectors.ballots_listing(user=request.user)
    except NotFoundError as error:
        raise Http404 from error
    return render(request, "governance/ballot_list.html", {"listing": listing})


# --- One ballot and its vote --------------------------------------------------------------------


def _receipt_cookie(pk: int) -> str:
    return f"ballot_receipt_{pk}"


@login_required
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(request, pk)
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
    given = selectors.proxies_given_by(user=request.user) if me is not None and is_open else []
    # A proxy for this ballot wins over one for its whole meeting, as when the proxy votes.
    my_proxy = next((p for p in given if p.ballot_id == ballot.pk), None) or next(
        (p for p in given if p.meeting_id is not None and p.meeting_id == ballot.meeting_id), None
    )
    # An election is voted by the members of the class whose seats it fills.
    other_class = (
        ballot.kind == Ballot.Kind.ELECTION
        and me is not None
        and me.member_class not in SEAT_CLASS_MEMBERS.get(ballot.seat_class, ())
    )
    can_stand = (
        ballot.kind == Ballot.Kind.ELECTION
        and ballot.status == Ballot.Status.DRAFT
        and me is not None
        and my_candidacy is None
        and me.member_class in SEAT_CLASS_MEMBERS.get(ballot.seat_class, ())
    )
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
        "runs": _runs(request, ballot, me),
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
def ballot_voted(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt, shown once, just after the vote."""
    ballot = _ballot(request, pk)
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
    context = {
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
def ballot_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons on a ballot's page: open, close and declare (staff or the chair) and a
    candidate's withdrawal."""
    ballot = _ballot(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    done = {
        "open": _("The ballot is open."),
        "close": _("The ballot is closed and counted."),
        "declare": _("The result is declared."),
        "withdraw": _("You have withdrawn from the election."),
    }
    if action not in done:
        raise Http404
    if action != "withdraw" and not _runs(request, ballot, me):
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


# --- Setting up a ballot ------------------------------------------------------------------------


@login_required
def ballot_create(request: HttpRequest) -> HttpResponse:
    _taking_part(request)
    if not request.user.is_staff:
        raise PermissionDenied
    motion_id, meeting_id = _int_param(request, "motion"), _int_param(request, "meeting")
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


# --- Results ------------------------------------------------------------------------------------


def _figure(value: Any) -> str:
    """A stored figure ("12.50000") as people read it ("12.5")."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value) if value is not None else "–"
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,}"
    return f"{number.normalize():,f}"


def _width(part: Any, whole: Any) -> str:
    try:
        share = (
            Decimal(str(part)) / Decimal(str(whole)) * 100 if whole and Decimal(str(whole)) else Decimal(0)
        )
    except (InvalidOperation, ValueError):
        share = Decimal(0)
    return f"{max(Decimal(0), min(share, Decimal(100))):.1f}"


def _motion_figures(result: dict[str, Any]) -> dict[str, Any]:
    eligible = result.get("eligible_by_class", {})
    classes = [
        {
            "name": CLASS_NAMES.get(row["member_class"], row["member_class"]),
            "eligible": eligible.get(row["member_class"], 0),
            "for": row["for"],
            "against": row["against"],
            "abstain": row["abstain"],
            "weight": _figure(row["weight"]),
        }
        for row in result["by_class"]
        if eligible.get(row["member_class"]) or row["for"] or row["against"] or row["abstain"]
    ]
    bars = [
        {
            "label": _("For"),
            "percent": result["percent_for"],
            "width": _width(result["percent_for"] or 0, 100),
            "kind": "for",
        },
        {
            "label": _("Against"),
            "percent": result["percent_against"],
            "width": _width(result["percent_against"] or 0, 100),
            "kind": "against",
        },
    ]
    return {
        "classes": classes,
        "bars": bars,
        "threshold": _figure(result["threshold"]),
        "threshold_width": _width(result["threshold"], 100),
        "weighted_for": _figure(result["weighted_for"]),
        "weighted_against": _figure(result["weighted_against"]),
        # Whether weighting changed anything: a vote cast by some class weighs other than 1.
        "weighted": any(
            _decimal(row["weight"]) != 1 for row in result["by_class"] if row["for"] or row["against"]
        ),
    }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(1)


def _election_figures(result: dict[str, Any]) -> dict[str, Any]:
    elected = set(result["elected"])
    stages = result["stages"]
    elected_at: dict[int, int] = {}
    for stage in stages:
        for pk in stage["elected"]:
            elected_at.setdefault(int(pk), stage["number"])
    rows = [
        {
            "name": candidate["name"],
            "elected": candidate["id"] in elected,
            "elected_at": elected_at.get(candidate["id"]),
            "totals": [_figure(stage["totals"].get(str(candidate["id"]), 0)) for stage in stages],
        }
        for candidate in result["candidates"]
    ]
    last = stages[-1]["totals"] if stages else {}
    first = stages[0]["totals"] if stages else {}
    scale = max([Decimal(str(v)) for v in first.values()] + [Decimal(result["quota"]), Decimal(1)])
    bars = [
        {
            "label": candidate["name"],
            "value": _figure(first.get(str(candidate["id"]), 0)),
            "width": _width(first.get(str(candidate["id"]), 0), scale),
            "kind": "elected" if candidate["id"] in elected else "other",
        }
        for candidate in result["candidates"]
    ]
    names = {c["id"]: c["name"] for c in result["candidates"]}
    return {
        "rows": rows,
        "stages": stages,
        "non_transferable": [_figure(stage["non_transferable"]) for stage in stages],
        "elected_names": [names.get(pk, "?") for pk in result["elected"]],
        "bars": bars,
        "quota_width": _width(result["quota"], scale),
        "last": last,
    }


@login_required
def ballot_results(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    try:
        result = selectors.ballot_results(ballot=ballot)
    except ConflictError:
        return render(request, "governance/ballot_results.html", {"ballot": ballot, "result": None})
    figures = _motion_figures(result) if result.get("kind") == "motion" else _election_figures(result)
    context = {
        "ballot": ballot,
        "result": result,
        "figures": figures,
        "named_votes": selectors.ballot_votes_named(ballot=ballot),
        "runs": _runs(request, ballot, me),
    }
    return render(request, "governance/ballot_results.html", context)


def _cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (a name like "=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def ballot_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(request, pk)
    try:
        result = selectors.ballot_results(ballot=ballot)
    except ConflictError as error:
        raise Http404 from error
    rows: list[list[Any]] = [
        ["ballot", ballot.title],
        ["closed", timezone.localtime(ballot.closed_at).isoformat() if ballot.closed_at else ""],
        ["declared", timezone.localtime(ballot.declared_at).isoformat() if ballot.declared_at else "not yet"],
        ["secret", "yes" if ballot.secret else "no"],
        ["eligible", result["eligible"]],
        ["voted", result["voted"]],
        ["turnout_percent", result["turnout_percent"]],
        [],
    ]
    if result.get("kind") == "motion":
        rows.append(["member_class", "class", "eligible", "for", "against", "abstain", "weight_of_one_vote"])
        eligible = result.get("eligible_by_class", {})
        for row in result["by_class"]:
            member_class = row["member_class"]
            rows.append(
                [
                    member_class,
                    CLASS_NAMES.get(member_class, member_class),
                    eligible.get(member_class, 0),
                    row["for"],
                    row["against"],
                    row["abstain"],
                    row["weight"],
                ]
            )
        totals = [result["eligible"], result["for"], result["against"], result["abstain"]]
        rows.append(["all", _("All members"), *totals, ""])
        rows += [
            [],
            ["weighted_for", result["weighted_for"]],
            ["weighted_against", result["weighted_against"]],
            ["percent_for", result["percent_for"] or ""],
            ["percent_against", result["percent_against"] or ""],
            ["majority", result["majority"]],
            ["threshold_percent", result["threshold"]],
            ["result", "passed" if result["passed"] else "not passed"],
        ]
    else:
        names = {c["id"]: c["name"] for c in result["candidates"]}
        rows += [
            ["seats", result["seats"]],
            ["quota", result["quota"]],
            ["valid_ballots", result["valid"]],
            ["blank_ballots", result["blank"]],
            ["elected", *[names.get(pk, "") for pk in result["elected"]]],
            ["lots_drawn", "yes" if result["lots_drawn"] else "no"],
            [],
            ["candidate", *[f"stage {s['number']}: {s['description']}" for s in result["stages"]]],
        ]
        for candidate in result["candidates"]:
            rows.append(
                [candidate["name"], *[s["totals"].get(str(candidate["id"]), "0") for s in result["stages"]]]
            )
        rows.append(["non-transferable", *[s["non_transferable"] for s in result["stages"]]])
    named = selectors.ballot_votes_named(ballot=ballot)
    if named:
        rows += [[], ["voter", "choice" if ballot.kind == Ballot.Kind.MOTION else "ranking"]]
        rows += [[name, choice or ranking] for name, choice, ranking in named]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-results.csv"'
    csv.writer(response).writerows([[_cell(cell) for cell in row] for row in rows])
    return response


@login_required
def ballot_receipts(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(request, pk)
    try:
        hashes = selectors.ballot_receipts(ballot=ballot)
    except ConflictError:
        return render(request, "governance/ballot_receipts.html", {"ballot": ballot, "hashes": None})
    form = ReceiptCheckForm(request.POST or None)
    checked: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        receipt = form.cleaned_data["receipt"]
        checked = {
            "hash": receipt_hash(receipt),
            "counted": selectors.receipt_is_counted(ballot=ballot, receipt=receipt),
        }
    context = {"ballot": ballot, "hashes": hashes, "form": form, "checked": checked}
    return render(request, "governance/ballot_receipts.html", context)


# --- Proxies ------------------------------------------------------------------------------------


@login_required
def proxies(request: HttpRequest) -> HttpResponse:
    _taking_part(request)
    meeting_id, ballot_id = _int_param(request, "meeting"), _int_param(request, "ballot")
    meeting: Meeting | None = None
    ballot: Ballot | None = None
    try:
        if ballot_id is not None:
            ballot = selectors.ballot_get_for_user(user=request.user, pk=ballot_id)
        elif meeting_id is not None:
            meeting = selectors.meeting_get_for_user(user=request.user, pk=meeting_id)
    except NotFoundError as error:
        raise Http404 from error
    me = member_selectors.membership_current_for_user(user=request.user)
    form = None
    if meeting is not None or ballot is not None:
        members = list(
            member_selectors.memberships_participating(on=timezone.localdate())
            .exclude(user=request.user)
            .select_related("profile")
            .order_by("legal_name", "number")
        )
        form = ProxyForm(
            request.POST or None,
            members=members,
            chair=meeting is not None or (ballot is not None and ballot.meeting_id is not None),
            instruction=ballot is not None and ballot.kind == Ballot.Kind.MOTION,
        )
        if request.method == "POST" and form.is_valid():
            holder, to_chair = form.chosen()
            try:
                services.proxy_appoint(
                    user=request.user,
                    holder=holder,
                    to_chair=to_chair,
                    meeting=meeting,
                    ballot=ballot,
                    instruction=form.cleaned_data.get("instruction", ""),
                    instructions_text=form.cleaned_data["instructions_text"],
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(request, _("Your proxy is appointed."))
                return redirect("proxies")
    listing = selectors.ballots_listing(user=request.user) if form is None else None
    context = {
        "form": form,
        "meeting": meeting,
        "ballot": ballot,
        "given": list(selectors.proxies_given_by(user=request.user)) if me else [],
        "held": selectors.proxies_held_by(user=request.user),
        "meetings": list(selectors.upcoming_meetings(user=request.user)[:20]) if form is None else [],
        "ballots": (listing.open + listing.coming) if listing else [],
        "max_proxies": GovernancePolicy.current().max_proxies,
    }
    return render(request, "governance/proxies.html", context)


@login_required
@require_POST
def proxy_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _taking_part(request)
    proxy: Proxy | None = selectors.proxies_given_by(user=request.user).filter(pk=pk).first()
    if proxy is None:
        raise Http404
    try:
        services.proxy_revoke(proxy=proxy, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your proxy is cancelled."))
    return redirect("proxies")
