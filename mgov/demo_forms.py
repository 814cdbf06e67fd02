"""The demo's online forms: what five procedures ask for, as an admin would publish them.
Two need no papers beyond identity, so a basic phone can request them (short codes)."""

from __future__ import annotations

from typing import Any

MiB = 1024 * 1024
ANY = ["application/pdf", "image/jpeg", "image/png"]


def _f(name: str, kind: str, vi: str, en: str, **rules: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label_vi": vi, "label_en": en, **rules}


def _d(kind: str, vi: str, en: str, **rules: Any) -> dict[str, Any]:
    return {"kind": kind, "name_vi": vi, "name_en": en, **rules}


def _choices(*items: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"value": v, "label_vi": vi, "label_en": en} for v, vi, en in items]


# procedure code -> (online level, short code for basic phones, needs CCCD, fields, documents)
FORMS: dict[str, tuple[str, str | None, bool, list[dict[str, Any]], list[dict[str, Any]]]] = {
    "1.001193": (
        "full",
        None,
        False,
        [
            _f("child_name", "text", "Họ tên trẻ", "Child's full name", max_length=100),
            _f("birth_date", "date", "Ngày sinh", "Date of birth", past_only=True),
            _f(
                "sex",
                "choice",
                "Giới tính",
                "Sex",
                choices=_choices(("female", "Nữ", "Female"), ("male", "Nam", "Male")),
            ),
            _f("birth_place", "address", "Nơi sinh", "Place of birth"),
            _f("mother_name", "text", "Họ tên mẹ", "Mother's full name", max_length=100),
            _f("mother_cccd", "cccd", "Số CCCD của mẹ", "Mother's CCCD number"),
            _f("father_name", "text", "Họ tên cha", "Father's full name", required=False),
            _f("father_cccd", "cccd", "Số CCCD của cha", "Father's CCCD number", required=False),
        ],
        [
            _d(
                "birth_notice",
                "Giấy chứng sinh",
                "Birth notice from the hospital",
                types=ANY,
                photo_ok=True,
                max_bytes=5 * MiB,
            ),
            _d(
                "marriage_certificate",
                "Giấy chứng nhận kết hôn của cha mẹ",
                "Parents' marriage certificate",
                types=ANY,
                photo_ok=True,
                required=False,
            ),
        ],
    ),
    "2.000635": (
        "full",
        "TRICHLUC",
        True,
        [
            _f(
                "extract",
                "choice",
                "Loại trích lục",
                "Kind of extract",
                choices=_choices(
                    ("birth", "Khai sinh", "Birth"),
                    ("marriage", "Kết hôn", "Marriage"),
                    ("death", "Khai tử", "Death"),
                ),
            ),
            _f("year", "number", "Năm đăng ký", "Year registered", minimum=1945, maximum=2026),
            _f(
                "person_name",
                "text",
                "Họ tên người được đăng ký",
                "Name on the record",
                max_length=60,
            ),
            _f("copies", "number", "Số bản sao", "Number of copies", minimum=1, maximum=10),
        ],
        [],
    ),
    "2.000720": (
        "partial",
        None,
        False,
        [
            _f("business_name", "text", "Tên hộ kinh doanh", "Business name", max_length=100),
            _f("owner_cccd", "cccd", "Số CCCD chủ hộ", "Owner's CCCD number"),
            _f("address", "address", "Địa điểm kinh doanh", "Business address"),
            _f(
                "line",
                "choice",
                "Ngành nghề",
                "Line of business",
                choices=_choices(
                    ("food", "Ăn uống", "Food and drink"),
                    ("retail", "Bán lẻ", "Retail"),
                    ("services", "Dịch vụ", "Services"),
                ),
            ),
            _f(
                "capital_vnd",
                "number",
                "Vốn kinh doanh (đồng)",
                "Capital (đồng)",
                minimum=0,
                maximum=100_000_000_000,
            ),
            _f(
                "employees",
                "number",
                "Số lao động",
                "Employees",
                minimum=0,
                maximum=9,
                required=False,
            ),
        ],
        [
            _d(
                "owner_id",
                "Ảnh CCCD chủ hộ",
                "Owner's CCCD card",
                types=ANY,
                photo_ok=True,
                max_bytes=2 * MiB,
            ),
            _d(
                "lease",
                "Hợp đồng thuê hoặc giấy tờ mặt bằng",
                "Lease or title of the premises",
                types=["application/pdf"],
                max_bytes=10 * MiB,
            ),
        ],
    ),
    "1.009972": (
        "partial",
        None,
        False,
        [
            _f("plot_address", "address", "Địa chỉ thửa đất", "Address of the plot"),
            _f(
                "land_certificate_no",
                "text",
                "Số giấy chứng nhận quyền sử dụng đất",
                "Land-use certificate number",
                max_length=40,
            ),
            _f("floors", "number", "Số tầng", "Floors", minimum=1, maximum=7),
            _f(
                "floor_area_m2",
                "number",
                "Tổng diện tích sàn (m²)",
                "Total floor area (m²)",
                minimum=10,
                maximum=2000,
            ),
            _f("owner_cccd", "cccd", "Số CCCD chủ đầu tư", "Owner's CCCD number"),
        ],
        [
            _d(
                "land_certificate",
                "Giấy chứng nhận quyền sử dụng đất",
                "Land-use certificate",
                types=ANY,
                photo_ok=True,
                max_bytes=5 * MiB,
            ),
            _d(
                "drawings",
                "Bản vẽ thiết kế",
                "Design drawings",
                types=["application/pdf"],
                max_bytes=15 * MiB,
                max_files=5,
            ),
            _d(
                "survey",
                "Báo cáo khảo sát địa chất",
                "Soil survey report",
                types=["application/pdf"],
                required=False,
                max_bytes=10 * MiB,
            ),
        ],
    ),
    "1.004222": (
        "full",
        "CUTRU",
        True,
        [
            _f(
                "purpose",
                "choice",
                "Mục đích sử dụng",
                "What it is for",
                choices=_choices(
                    ("school", "Nhập học", "School enrolment"),
                    ("work", "Xin việc", "A job"),
                    ("bank", "Ngân hàng", "A bank"),
                    ("other", "Khác", "Other"),
                ),
            ),
            _f("copies", "number", "Số bản", "Copies", minimum=1, maximum=5),
        ],
        [],
    ),
}

# Applications: phone, procedure, channel, answers, documents (kind, file name), then what
# happened: "draft", ("submitted", hours ago), or ("supplement", fields, kinds, note).
APPLICATIONS: list[tuple[str, str, str, dict[str, Any], list[tuple[str, str]], Any]] = [
    (
        "0912345678",
        "2.000720",
        "app",
        {"business_name": "Tiệm May Bình An", "line": "services"},
        [],
        "draft",
    ),
    (
        "0387654321",
        "1.009972",
        "app",
        {"plot_address": "88 Trần Quang Khải, phường Tân Định", "floors": 4},
        [("land_certificate", "so-do.png")],
        "draft",
    ),
    (
        "0778123456",
        "1.001193",
        "app",
        {
            "child_name": "Phạm Gia Bảo",
            "birth_date": "2026-11-20",
            "sex": "male",
            "birth_place": "Bệnh viện Từ Dũ, phường Cầu Ông Lãnh",
            "mother_name": "Phạm Thị Dung",
            "mother_cccd": "079195004567",
        },
        [("birth_notice", "giay-chung-sinh.png")],
        ("submitted", 50),
    ),
    (
        "0839123456",
        "2.000720",
        "app",
        {
            "business_name": "Cà Phê Góc Phố Đức",
            "owner_cccd": "079092005678",
            "address": "21 Nguyễn Huệ, phường Sài Gòn",
            "line": "food",
            "capital_vnd": 80_000_000,
        },
        [("owner_id", "cccd.png"), ("lease", "hop-dong-thue.pdf")],
        ("submitted", 20),
    ),
    ("0567123456", "1.004222", "ussd", {"purpose": "school", "copies": 2}, [], ("submitted", 3)),
    (
        "0981112233",
        "2.000635",
        "sms",
        {"extract": "birth", "year": 2001, "person_name": "Đặng Quốc Huy", "copies": 1},
        [],
        ("submitted", 0),
    ),
    (
        "0901234567",
        "1.009972",
        "app",
        {
            "plot_address": "15 Lý Tự Trọng, phường Sài Gòn",
            "land_certificate_no": "CS 04512",
            "floors": 3,
            "floor_area_m2": 180,
            "owner_cccd": "079085001234",
        },
        [("land_certificate", "so-hong.pdf"), ("drawings", "ban-ve.pdf")],
        (
            "supplement",
            ["floor_area_m2"],
            ["drawings"],
            "Bản vẽ thiếu mặt cắt; diện tích sàn không khớp bản vẽ",
        ),
    ),
]
