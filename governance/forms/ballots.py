"""Forms of the ballot pages: voting (a motion or a ranking), standing, setting up a ballot, and
appointing a proxy. They check the shape of the input; the services decide the rules."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from carecoop.forms import DateTimeInput, choice_field
from governance.models import Ballot, Candidate, Proxy, SeatClass
from members.models import Membership

MYSELF = "me"
CHAIR = "chair"

_ORDINALS = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINALS.get(n % 10, "th")
    return f"{n}{suffix}"


def _instruction_hint(proxy: Proxy) -> str:
    said = []
    if proxy.instruction:
        said.append(str(_("instructed: %(what)s") % {"what": Proxy.Instruction(proxy.instruction).label}))
    elif not proxy.instructions_text:
        said.append(str(_("as you think best")))
    if not getattr(proxy, "appointer_voted", False):
        said.append(str(_("no vote cast for them yet")))
    if proxy.instructions_text:
        said.append(f"“{proxy.instructions_text}”")
    if getattr(proxy, "voted_by_me", False):
        said.append(str(_("you have voted for them already")))
    elif getattr(proxy, "appointer_voted", False):
        said.append(str(_("a vote was cast for them by an earlier proxy")))
    return "; ".join(said)


class VoteForm(forms.Form):
    """A vote: for, against or abstain on a motion, or a ranking of the candidates in an election,
    with one drop-down per preference so it works without JavaScript and with a screen reader."""

    def __init__(
        self,
        *args: Any,
        ballot: Ballot,
        candidates: list[Candidate],
        proxies: Sequence[Proxy],
        voter: Membership | None,
        ask_receipt: bool,
        voter_voted: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.proxies = {str(p.appointer.number): p for p in proxies}
        if proxies:
            mine = [(MYSELF, _("Myself"))] if voter is not None else []
            self.fields["for_member"] = forms.ChoiceField(
                label=_("Voting for"),
                choices=mine
                + [
                    (number, f"{p.appointer.shown_name} ({_instruction_hint(p)})")
                    for number, p in self.proxies.items()
                ],
                # Start at a vote still to cast: one's own, else the first member still owed one.
                initial=MYSELF
                if voter is not None and not voter_voted
                else next(
                    (n for n, p in self.proxies.items() if not getattr(p, "appointer_voted", False)),
                    MYSELF if voter is not None else next(iter(self.proxies)),
                ),
                widget=forms.RadioSelect,
                help_text=_("You hold these members' proxies. Vote once for each, as they asked."),
                error_messages={
                    "invalid_choice": _(
                        "You can no longer vote for this member: they have voted themselves, or "
                        "cancelled their proxy. Choose again."
                    )
                },
            )
        if ballot.kind == Ballot.Kind.MOTION:
            self.fields["choice"] = forms.ChoiceField(
                label=_("The vote"),
                choices=[
                    ("for", pgettext_lazy("vote", "For")),
                    ("against", pgettext_lazy("vote", "Against")),
                    ("abstain", pgettext_lazy("vote", "Abstain")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose for, against or abstain.")},
            )
        else:
            self.candidates = {str(c.pk): c for c in candidates}
            options = [("", _("No more choices"))] + [
                (str(c.pk), c.membership.shown_name) for c in candidates
            ]
            for n in range(1, len(candidates) + 1):
                self.fields[f"rank_{n}"] = forms.ChoiceField(
                    label=_("%(nth)s choice") % {"nth": ordinal(n)},
                    choices=options,
                    required=n == 1,
                    error_messages={"required": _("Choose your first choice.")},
                )
        if ask_receipt:
            self.fields["receipt"] = forms.CharField(
                label=_("Receipt of the vote you are changing"),
                required=False,
                max_length=40,
                help_text=_(
                    "Only to change a vote already cast: the receipt you were given for it, like 7K3M-Q9XD-…"
                ),
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    @property
    def rank_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rank_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        posted_for = self.data.get("for_member") if hasattr(self.data, "get") else None
        if "for_member" not in self.fields and posted_for not in (None, "", MYSELF):
            # A page opened while the user held a proxy they can no longer use: never count the
            # vote as their own instead.
            raise forms.ValidationError(
                _(
                    "You can no longer vote for this member: they have voted themselves, or "
                    "cancelled their proxy."
                ),
                code="proxy_gone",
            )
        if self.ballot.kind == Ballot.Kind.ELECTION:
            ranking: list[int] = []
            seen: dict[str, str] = {}
            for name in self.fields:
                if not name.startswith("rank_") or not data.get(name):
                    continue
                value = data[name]
                if value in seen:
                    who = self.candidates[value].membership.shown_name
                    self.add_error(
                        name,
                        _("%(name)s is already your %(nth)s choice: choose each candidate once.")
                        % {"name": who, "nth": seen[value]},
                    )
                    continue
                seen[value] = ordinal(int(name.removeprefix("rank_")))
                ranking.append(int(value))
            data["ranking"] = ranking  # gaps are closed up: the order is what counts
        return data

    def choice_in_words(self) -> list[str]:
        """The vote as the voter would say it: the choice on a motion ("For"), or the candidates
        in the order ranked. Only for the receipt the voter takes away (rule 7: never stored)."""
        if self.ballot.kind == Ballot.Kind.MOTION:
            labels = dict(self.fields["choice"].choices)  # type: ignore[attr-defined]
            return [str(labels[self.cleaned_data["choice"]])]
        return [self.candidates[str(pk)].membership.shown_name for pk in self.cleaned_data.get("ranking", ())]

    def chosen_member(self) -> Membership | None:
        chosen = self.cleaned_data.get("for_member")
        proxy = self.proxies.get(chosen or "")
        return proxy.appointer if proxy is not None else None


class StandForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why you are standing and what you would bring to the board (up to 3,000 characters)."),
    )


class BallotCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    seat_class = forms.ChoiceField(
        label=_("Whose seats"), choices=SeatClass.choices, widget=forms.RadioSelect
    )
    seats = forms.IntegerField(label=_("Seats to fill"), min_value=1, max_value=20, initial=1)
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=DateTimeInput(),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=DateTimeInput(),
    )
    method = forms.ChoiceField(
        label=_("How members vote"),
        choices=Ballot.Method.choices,
        initial=Ballot.Method.ONLINE,
        widget=forms.RadioSelect,
    )
    secret = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        initial=True,
        help_text=_(
            "Nobody, staff included, can see who voted how. Untick only for a named (procedural) vote."
        ),
    )
    changes_allowed = forms.BooleanField(
        label=_("Members may change their vote until the ballot closes"), required=False, initial=True
    )

    def __init__(self, *args: Any, election: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not election:
            del self.fields["seat_class"]
            del self.fields["seats"]


class ProxyForm(forms.Form):
    holder = forms.ChoiceField(
        label=_("Your proxy"),
        help_text=_("The member who votes for you, or whoever chairs the meeting."),
        error_messages={"required": _("Choose a member, or the chair.")},
    )
    instruction = forms.ChoiceField(
        label=_("How they should vote"),
        choices=[
            ("for", _("Vote for")),
            ("against", _("Vote against")),
            ("abstain", _("Abstain")),
            ("", _("As the proxy thinks best")),
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )
    instructions_text = forms.CharField(
        label=_("Instructions (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything your proxy should know, for example how to vote on each motion."),
    )

    def __init__(
        self, *args: Any, members: list[Membership], chair: bool, instruction: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.number): m for m in members}
        choices: list[tuple[str, StrOrPromise]] = [("", _("Choose…"))]
        if chair:
            choices.append((CHAIR, str(_("The chair of the meeting"))))
        choices += [
            (number, str(_("%(name)s (member %(number)s)") % {"name": m.shown_name, "number": number}))
            for number, m in self.members.items()
        ]
        choice_field(self, "holder").choices = choices
        if not instruction:
            del self.fields["instruction"]

    def chosen(self) -> tuple[Membership | None, bool]:
        value = self.cleaned_data["holder"]
        return (None, True) if value == CHAIR else (self.members[value], False)


class ReceiptCheckForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=40,
        help_text=_("The letters and digits you were given when you voted, like 7K3M-Q9XD-…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type the receipt you were given when you voted.")},
    )
