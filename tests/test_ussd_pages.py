"""Screens cut to a feature phone's 182 characters: nothing lost, nothing too long."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from channels.ussd.pages import BODY_LIMIT, paginate

BACK, MORE = "0 Quay lai, 00 Menu chinh", "98 Xem them"


def test_what_fits_stays_on_one_page() -> None:
    assert paginate(
        ["Chon ngay:", "1 T2 24/11"], ["1 Xac nhan"], more=MORE, limit=178, back=BACK
    ) == ["Chon ngay:\n1 T2 24/11\n1 Xac nhan\n" + BACK]


def test_longer_content_pages_with_98_above_the_back_line() -> None:
    lines = [f"{n} H29.99-2611{n:02d}-0001 Dang xu ly" for n in range(1, 10)]
    pages = paginate(lines, ["Hoac nhap ma ho so:"], more=MORE, limit=178, back=BACK)
    assert len(pages) > 1
    for page in pages[:-1]:
        assert page.endswith(f"Hoac nhap ma ho so:\n{MORE}\n{BACK}")
    assert pages[-1].endswith(f"Hoac nhap ma ho so:\n{BACK}")
    shown = "\n".join(pages)
    assert all(line in shown for line in lines)


@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abc 0123456789.-"), max_size=400), min_size=0, max_size=8
    )
)
def test_every_page_fits_and_every_word_is_kept(lines: list[str]) -> None:
    pages = paginate(lines, [], more=MORE, limit=BODY_LIMIT, back=BACK)
    assert all(len(page) <= BODY_LIMIT for page in pages)
    # "b" is in no navigation line: every one typed must be shown, once
    assert "".join(pages).count("b") == "".join(lines).count("b")
