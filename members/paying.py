"""How an applicant pays for their shares: the co-op's bank account, from the settings.

There is no payment gateway: the applicant pays by bank transfer quoting their application's
reference (Application.reference), and staff match the transfer by that reference."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class BankDetails:
    account_name: str
    sort_code: str
    account_number: str

    def as_context(self) -> dict[str, str]:
        return {
            "account_name": self.account_name,
            "sort_code": self.sort_code,
            "account_number": self.account_number,
        }


def bank_details() -> BankDetails | None:
    """The account to pay into, or None while the co-op has not named one (all three are needed:
    half an account number is worse than none)."""
    details = BankDetails(
        account_name=str(settings.COOP_BANK_ACCOUNT_NAME).strip(),
        sort_code=str(settings.COOP_BANK_SORT_CODE).strip(),
        account_number=str(settings.COOP_BANK_ACCOUNT_NUMBER).strip(),
    )
    if not (details.account_name and details.sort_code and details.account_number):
        return None
    return details
