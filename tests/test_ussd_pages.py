"""Screens cut to a feature phone's 182 characters: nothing lost, nothing too long, with or
without a hint above a page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.ussd.pages import BODY_LIMIT, HINT_ROOM, page_of

BACK, MORE = "0 Quay lai, 00 Menu chinh", "98 Xem them"
HINT = "Lua chon khong hop le."


def walk(lines: list[str], footer: list[str], hints: list[str] | None = None) -> list[str]:
    """Every page from the first, `98` after `98`, with hints[n] above page n."""
    hints = hints or []
    pages, start = [], 0
    while True:
        hint = hints[len(pages)] if len(pages) < len(hints) else ""
        page = page_of(lines, footer, more=MORE, back=BACK, start=start, hint=hint)
        pages.append(page.text)
        if page.next is None:
            return pages
        start = page.next


def test_what_fits_stays_on_one_page() -> None:
    assert walk(["Chon ngay:", "1 T2 24/11"], ["1 Xac nhan"]) == [
        "Chon ngay:\n1 T2 24/11\n1 Xac nhan\n" + BACK
    ]


def test_longer_content_pages_with_98_above_the_back_line() -> None:
    lines = [f"{n} H29.99-2611{n:02d}-0001 Dang xu ly" for n in range(1, 10)]
    pages = walk(lines, ["Hoac nhap ma ho so:"])
    assert len(pages) > 1
    for page in pages[:-1]:
        assert page.endswith(f"Hoac nhap ma ho so:\n{MORE}\n{BACK}")
    assert pages[-1].endswith(f"Hoac nhap ma ho so:\n{BACK}")
    shown = "\n".join(pages)
    assert all(line in shown for line in lines)


def test_a_hint_pushes_the_last_item_to_the_next_page_not_off_the_list() -> None:
    """Five offices: four fit with `98`; a hint above takes the room of the fourth, which is then
    the first item of page 2 (it used to be neither on page 1 nor on page 2)."""
    offices = ["Chon noi hen:"] + [f"{n} Bo phan mot cua phuong So {n}" for n in range(1, 6)]
    plain = walk(offices, [])
    hinted = walk(offices, [], hints=[HINT])
    assert "4 Bo phan" in plain[0] and "4 Bo phan" not in hinted[0]
    assert hinted[0].startswith(HINT + "\nChon noi hen:\n1 ")
    assert hinted[1].startswith("4 Bo phan mot cua phuong So 4\n5 ")
    assert all(len(page) <= BODY_LIMIT for page in hinted)


def test_a_hint_too_long_for_its_room_is_refused() -> None:
    with pytest.raises(ValueError):
        page_of(["a"], [], more=MORE, back=BACK, hint="x" * HINT_ROOM)


@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abc 0123456789.-"), max_size=400), min_size=0, max_size=8
    ),
    st.lists(st.sampled_from(["", HINT, "h" * (HINT_ROOM - 1)]), max_size=8),
)
def test_every_page_fits_and_every_word_is_kept(lines: list[str], hints: list[str]) -> None:
    pages = walk(lines, [], hints=hints)
    assert all(len(page) <= BODY_LIMIT for page in pages)
    # "b" is in no navigation line: every one typed is shown, once, whichever pages had hints
    assert "".join(pages).count("b") == "".join(lines).count("b")
