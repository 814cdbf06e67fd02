"""The dashboard's SVG charts: proportional bars, escaped labels, readable axes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from mobile_api.console.charts import Bar, Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_proportional_and_labels_escaped():
    svg = bar_chart(
        title="Tỷ lệ <đúng> hạn",
        bars=[
            Bar("H29.99 · UBND phường Sài Gòn & <b>", 0.5, "50 %"),
            Bar("H29.12", 1.0, "100 %"),
            Bar("H29.97", None, "—"),
        ],
    )
    root = ElementTree.fromstring(str(svg))  # well-formed XML, so nothing leaked unescaped
    assert root.find(f"{SVG}title").text == "Tỷ lệ <đúng> hạn"
    widths = [float(group.findall(f"{SVG}rect")[1].get("width")) for group in root.iter(f"{SVG}g")]
    track = float(next(root.iter(f"{SVG}g")).findall(f"{SVG}rect")[0].get("width"))
    assert widths == [track / 2, track, 0.0]


def test_lines_have_one_polyline_per_series_and_spaced_labels():
    weeks = [f"{day:02d}/11" for day in range(1, 24)]
    svg = line_chart(
        title="Tiếp nhận và đã giải quyết",
        x_labels=weeks,
        series=[Series("Tiếp nhận", list(range(23)), "#a3161a"), Series("Xong", [1] * 23, "#000")],
    )
    root = ElementTree.fromstring(str(svg))
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert [t for t in texts if t in weeks] == weeks[::2]  # 23 weeks: every other one labelled
    assert [t for t in texts if t and re.fullmatch(r"\d+", t)] == [
        "0",
        "10",
        "20",
        "30",
        "40",
        "50",
    ]
