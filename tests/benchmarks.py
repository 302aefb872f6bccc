"""Reading the figures a benchmark command prints, so its test checks numbers, not wording."""

import re
from dataclasses import dataclass

_TIMED = re.compile(
    r"^\s*(?P<label>.+?):?\s+median\s+(?P<median>\d+(?:\.\d+)?) ms[,\s]+(?:p95|95th percentile)\s+"
    r"(?P<p95>\d+(?:\.\d+)?) ms",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float


def timings(text: str) -> dict[str, Timing]:
    """Each timed line ("<what>: median 2.0 ms, 95th percentile 2.1 ms ...") by what it times."""
    return {m["label"].strip(): Timing(float(m["median"]), float(m["p95"])) for m in _TIMED.finditer(text)}


def figure(text: str, pattern: str) -> float:
    """The one number `pattern` (a regex with one group) finds in the text."""
    found = re.findall(pattern, text, re.MULTILINE)
    assert len(found) == 1, (pattern, found)
    return float(str(found[0]).replace(",", ""))


def assert_timed(timing: Timing) -> None:
    """A real measurement: positive, and the 95th percentile is no less than the median."""
    assert 0 < timing.median_ms <= timing.p95_ms, timing
