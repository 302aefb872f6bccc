"""Accessibility audits with axe-core (the npm package, installed by `make test`)."""

from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE_SCRIPT.read_text() if AXE_SCRIPT.exists() else ""
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
# The narrowest screen the site promises to work on: nothing may need sideways scrolling there.
NARROWEST = {"width": 320, "height": 640}
FAILING_IMPACTS = {"serious", "critical"}
# What scrolls sideways, and by how much: the page itself, or any box within it that clips its
# content (cards spilling out of a calendar's cells are cut off, not shown). Form fields scroll
# their own text and one-pixel boxes hide text for screen readers: neither counts.
SIDEWAYS = """() => {
  const found = [];
  const page = document.documentElement.scrollWidth - window.innerWidth;
  if (page > 0) found.push({what: "the page", by: page, tableBox: false});
  for (const el of document.querySelectorAll("body *")) {
    if (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.clientWidth <= 1) continue;
    if (getComputedStyle(el).overflowX === "visible") continue;
    const by = el.scrollWidth - el.clientWidth;
    if (by > 1) {
      const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
      const what = [el.tagName.toLowerCase(), ...classes].join(".");
      found.push({what, by, tableBox: el.matches(".table-scroll")});
    }
  }
  return found;
}"""


class PageAudit:
    """Runs axe-core on a page at phone and desktop widths, checks that nothing on it scrolls
    sideways there (only a data table's own box on a phone) and that it fits 320 px, and remembers
    every page it checked.

    `unaudited()` lists the pages the browser showed that were never checked, so a journey
    cannot pass by forgetting to look at one of its pages.
    """

    def __init__(self, page: Page) -> None:
        if not AXE_SCRIPT.exists():
            raise AssertionError(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` (make test does).")
        self.page = page
        self.visited: list[str] = []
        self.audited: set[str] = set()
        page.on("framenavigated", self._remember)

    def _remember(self, frame) -> None:  # type: ignore[no-untyped-def]
        if frame == self.page.main_frame:
            self.visited.append(_without_fragment(frame.url))

    def __call__(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        original_size = page.viewport_size
        problems = []
        for name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                # Evaluated through the browser's debugging protocol, which the page's
                # Content-Security-Policy does not govern: a <script> tag added with the code in
                # it would be refused, as the policy refuses any inline script.
                page.evaluate(AXE_SOURCE)
            results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            for violation in results["violations"]:
                if violation["impact"] in FAILING_IMPACTS:
                    targets = [node["target"] for node in violation["nodes"]][:5]
                    impact, rule = violation["impact"], violation["id"]
                    problems.append(f"  [{name}] {rule} ({impact}): {violation['help']} at {targets}")
            for box in page.evaluate(SIDEWAYS):
                # On a phone a wide data table may scroll inside its own labelled, focusable box;
                # on a desktop nothing may be cut off.
                if name == "phone" and box["tableBox"]:
                    continue
                problems.append(f"  [{name}] {box['what']} scrolls sideways by {box['by']} px")
        page.set_viewport_size(NARROWEST)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"  [320 px] the page is {overflow} px wider than the screen")
        if original_size:
            page.set_viewport_size(original_size)
        self.audited.add(_without_fragment(page.url))
        assert not problems, f"Problems a person would meet on {page.url}:\n" + "\n".join(problems)

    def unaudited(self) -> list[str]:
        return [
            url for url in dict.fromkeys(self.visited) if url not in self.audited and url != "about:blank"
        ]


def _without_fragment(url: str) -> str:
    # Following "#main" moves focus within a page; it is not another page.
    return url.split("#", 1)[0]
