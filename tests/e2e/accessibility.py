"""Checks every page of Kakehashi should pass in a browser, for any service's Playwright tests.

    from tests.e2e.accessibility import assert_accessible, screenshot_widths

    page.goto(url)
    assert_accessible(page)                   # axe-core: no serious or critical violation
    screenshot_widths(page, "console-orders-vi")  # 1366 px and 390 px, no sideways scrolling
    assert not english_leftovers(page, translated_msgids("vi", KIT_LOCALES, service_locales))

`assert_accessible` runs axe-core (the copy bundled in axe-playwright-python, so nothing is
fetched) on the page as it is now. `screenshot_widths` resizes the page to each width, reloads
nothing, saves `test-artifacts/<name>-<width>.png` (full page) and fails if the document is wider
than the window, which on a phone means the whole page scrolls sideways (a wide table should
scroll inside a `.table-wrap` instead). `english_leftovers` lists what a Vietnamese or Japanese
page still says in English: a catalog's msgid shown as it is, or a sentence of English words.
All take a sync Playwright `Page`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP, PHONE = 1366, 390
WIDTHS = (DESKTOP, PHONE)
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of serious or critical impact on `page` (WCAG 2 A/AA rules and
    best practices), each with its rule id, help text and the offending elements."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Any) -> None:
    """Fail, naming each rule and element, if axe finds a serious or critical violation."""
    violations = accessibility_violations(page)
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(described)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the window (0: no sideways scrolling)."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return max(0, int(scroll) - int(client))


def screenshot_widths(
    page: Any, name: str, widths: tuple[int, ...] = WIDTHS, height: int = 900
) -> list[Path]:
    """Save `page` at each width as test-artifacts/<name>-<width>.png and assert that at none
    of them the page scrolls sideways; returns the files written."""
    ARTIFACTS.mkdir(exist_ok=True)
    saved, overflowing = [], []
    for width in widths:
        page.set_viewport_size({"width": width, "height": height})
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        saved.append(path)
        if (extra := horizontal_overflow(page)) > 0:
            overflowing.append(f"{width}px: {extra}px too wide")
    assert not overflowing, f"{page.url} scrolls sideways: {', '.join(overflowing)}"
    return saved


# A sentence left in English on a vi or ja page: a run of ASCII words with an English function
# word among them (none of them is a Vietnamese word, even written without its marks).
ENGLISH_WORDS = frozenset({
    "the", "of", "and", "is", "are", "for", "with", "your", "you", "this", "that", "not", "on",
    "by", "from", "be", "has", "have", "was", "will", "or", "at", "its", "can", "cannot", "here",
    "there", "what", "when", "which", "who"
})  # fmt: skip
WORD = re.compile(r"[A-Za-z']+")
PUNCTUATION = ".,:;!?()[]\"'·—-"
# The page's visible text pieces and its labels in attributes, leaving out what is marked as
# another language than the page's (lang="en" on an error the code wrote) or as code.
VISIBLE_TEXTS = """() => {
  const page = document.documentElement.lang;
  const own = (el) => (el.closest('[lang]')?.lang || page) === page
                      && !el.closest('script, style, code, [translate=no]');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !own(parent) || !parent.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (!own(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value) out.push(value.trim());
    }
  }
  return out;
}"""


def translated_msgids(language: str, *catalogs: Path | None) -> frozenset[str]:
    """The English msgids of the page's catalogs (each a `locales` folder, e.g. the kit's and
    the service's) that `language` says otherwise: shown as they are, they were left
    untranslated."""
    from babel.messages.pofile import read_po

    found: set[str] = set()
    for locales in catalogs:
        if locales is None or language == "en":  # English is the source: it has no catalog
            continue
        with (locales / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po, locale=language)
        found |= {str(m.id) for m in catalog if m.id and isinstance(m.id, str) and m.string != m.id}
    return frozenset(found)


def english_leftovers(page: Any, msgids: frozenset[str] = frozenset()) -> list[str]:
    """The texts of a vi or ja page that are English: one of `msgids` shown untranslated, or a
    sentence that reads as English. Text marked as another language (`lang="en"` on an error
    the code wrote) or as code is left out."""
    leftovers = []
    for text in page.evaluate(VISIBLE_TEXTS):
        if not text.isascii():
            continue
        # Words are whole: "be0f5a" in an id is no "be".
        words = [
            w.lower() for w in (t.strip(PUNCTUATION) for t in text.split()) if WORD.fullmatch(w)
        ]
        if text in msgids or (len(words) >= 2 and ENGLISH_WORDS & set(words)):
            leftovers.append(text)
    return leftovers
