"""Vote receipts (rule 7): what a voter keeps to check that their vote was counted.

Pure functions, no database: the services hand receipts out, the selectors check them."""

import hashlib
import secrets

# Crockford's base32: no I, L, O or U, so a receipt read aloud or copied by hand is not misread.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_LENGTH = 20  # 100 bits: nobody guesses another's receipt
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def receipt_new() -> str:
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(_RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


def receipt_normalise(receipt: str) -> str:
    return "".join(ch for ch in receipt.upper().translate(_READ_AS) if ch in _RECEIPT_ALPHABET)


def receipt_hash(receipt: str) -> str:
    """The hash published on the receipts list and kept on the vote."""
    return hashlib.sha256(f"receipt:{receipt_normalise(receipt)}".encode()).hexdigest()


def change_key_hash(receipt: str) -> str:
    # Kept on the Participation. Another prefix, so it cannot be matched to the published hash.
    return hashlib.sha256(f"change:{receipt_normalise(receipt)}".encode()).hexdigest()
