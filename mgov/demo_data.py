"""The Ho Chi Minh City demo data set, as data. Names and codes are plausible, not official.

Dossiers with fixed receipt dates have fixed codes (listed in docs/demo.md). `RECENT` dossiers are
received relative to the moment the seed runs, so a fresh demo always has work in progress and
work finished this month.
"""

from __future__ import annotations

from datetime import date

# code, name_vi, name_en, level, parent
AGENCIES = [
    ("H29", "UBND Thành phố Hồ Chí Minh", "Ho Chi Minh City People's Committee", "city", None),
    ("H29.12", "Sở Tư pháp", "Department of Justice", "department", "H29"),
    ("H29.15", "Sở Xây dựng", "Department of Construction", "department", "H29"),
    ("H29.99", "UBND phường Sài Gòn", "Sai Gon Ward People's Committee", "ward", "H29"),
    ("H29.98", "UBND phường Bến Thành", "Ben Thanh Ward People's Committee", "ward", "H29"),
    ("H29.97", "UBND phường Tân Định", "Tan Dinh Ward People's Committee", "ward", "H29"),
]

# agency code, name_vi, name_en, address
OFFICES = [
    (
        "H29.12",
        "Bộ phận một cửa Sở Tư pháp",
        "Department of Justice one-stop office",
        "141-143 Pasteur, phường Xuân Hòa",
    ),
    (
        "H29.15",
        "Bộ phận một cửa Sở Xây dựng",
        "Department of Construction one-stop office",
        "60 Trương Định, phường Xuân Hòa",
    ),
    (
        "H29.99",
        "Bộ phận một cửa phường Sài Gòn",
        "Sai Gon Ward one-stop office",
        "45-47 Lê Duẩn, phường Sài Gòn",
    ),
    (
        "H29.98",
        "Bộ phận một cửa phường Bến Thành",
        "Ben Thanh Ward one-stop office",
        "92 Nguyễn Trãi, phường Bến Thành",
    ),
    (
        "H29.97",
        "Bộ phận một cửa phường Tân Định",
        "Tan Dinh Ward one-stop office",
        "289 Hai Bà Trưng, phường Tân Định",
    ),
    # Last, so the offices above keep their ids and places in the USSD and console lists.
    (
        "H29",
        "Bộ phận một cửa UBND Thành phố",
        "City People's Committee one-stop office",
        "86 Lê Thánh Tôn, phường Sài Gòn",
    ),
]

# code, name_vi, name_en, handling agency, working days, fee (VND), online level
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", "Birth registration", "H29.99", 0, 0, "full"),
    ("1.000894", "Đăng ký kết hôn", "Marriage registration", "H29.99", 5, 0, "partial"),
    (
        "2.000635",
        "Cấp bản sao trích lục hộ tịch",
        "Copy of a civil-status extract",
        "H29.99",
        0,
        8000,
        "full",
    ),
    (
        "2.000815",
        "Chứng thực bản sao từ bản chính",
        "Certified copy from the original",
        "H29.99",
        0,
        2000,
        "counter",
    ),
    ("1.001656", "Đăng ký khai tử", "Death registration", "H29.99", 0, 0, "partial"),
    ("1.004194", "Đăng ký thường trú", "Permanent residence registration", "H29.99", 7, 0, "full"),
    (
        "1.004222",
        "Xác nhận thông tin về cư trú",
        "Confirmation of residence information",
        "H29.99",
        1,
        0,
        "full",
    ),
    (
        "2.000720",
        "Đăng ký hộ kinh doanh",
        "Household business registration",
        "H29.99",
        3,
        100000,
        "partial",
    ),
    (
        "2.000488",
        "Cấp phiếu lý lịch tư pháp",
        "Criminal record certificate",
        "H29.12",
        10,
        200000,
        "full",
    ),
    (
        "1.009972",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Construction permit for a private house",
        "H29.15",
        15,
        75000,
        "partial",
    ),
    (
        "1.002804",
        "Cấp đổi giấy phép lái xe",
        "Driving licence renewal",
        "H29.15",
        5,
        135000,
        "full",
    ),
    (
        "1.009994",
        "Cấp giấy phép sửa chữa, cải tạo công trình",
        "Permit to repair or renovate a building",
        "H29.15",
        15,
        75000,
        "partial",
    ),
]

# phone, full name, language, CCCD (invented: HCMC province code 079 + digits)
CITIZENS = [
    ("0901234567", "Nguyễn Văn An", "vi", "079085001234"),
    ("0912345678", "Trần Thị Bình", "vi", "079190002345"),
    ("0387654321", "Lê Hoàng Cường", "vi", "079078003456"),
    ("0778123456", "Phạm Thị Dung", "vi", "079195004567"),
    ("0839123456", "Hoàng Minh Đức", "vi", "079092005678"),
    ("0567123456", "Võ Thị Hồng", "vi", "079188006789"),
    ("0981112233", "Đặng Quốc Huy", "vi", "079201007890"),
    ("0933445566", "Sarah Nguyễn", "en", "079193008901"),
]

# Fixed-date dossiers: phone, procedure, receiving agency, received (local y,m,d,h,min),
# then the moves as (status, note, working days later).
DOSSIERS = [
    (
        "0901234567",
        "2.000720",
        "H29.99",
        (2026, 10, 5, 9, 15),
        [("in_progress", "", 0), ("result_ready", "", 2), ("returned", "", 3)],
    ),
    ("0901234567", "1.009972", "H29.15", (2026, 9, 14, 10, 0), [("in_progress", "", 1)]),
    (
        "0912345678",
        "2.000488",
        "H29.12",
        (2026, 10, 19, 14, 30),
        [("in_progress", "", 1), ("result_ready", "", 9)],
    ),
    (
        "0912345678",
        "1.000894",
        "H29.99",
        (2026, 10, 26, 8, 45),
        [("needs_supplement", "Thiếu giấy xác nhận tình trạng hôn nhân", 1)],
    ),
    ("0387654321", "1.004194", "H29.99", (2026, 10, 12, 16, 10), [("in_progress", "", 1)]),
    (
        "0387654321",
        "1.002804",
        "H29.15",
        (2026, 8, 3, 9, 0),
        [("rejected", "Giấy khám sức khỏe đã hết hạn", 2)],
    ),
    (
        "0778123456",
        "2.000635",
        "H29.98",
        (2026, 11, 2, 10, 20),
        [("in_progress", "", 0), ("result_ready", "", 0), ("returned", "", 1)],
    ),
    (
        "0839123456",
        "1.009994",
        "H29.15",
        (2026, 9, 21, 13, 0),
        [
            ("in_progress", "", 1),
            ("needs_supplement", "Bổ sung bản vẽ hiện trạng", 4),
            ("in_progress", "", 9),
        ],
    ),
    (
        "0567123456",
        "2.000720",
        "H29.97",
        (2026, 10, 28, 11, 0),
        [("withdrawn", "Công dân rút hồ sơ", 1)],
    ),
    ("0933445566", "2.000488", "H29.12", (2026, 10, 1, 9, 30), [("in_progress", "", 1)]),
]

# Dossiers received relative to the moment the seed runs: phone, procedure, agency, received
# (days before the seed day, hour; no hour = the seed's own moment), then the moves as
# (status, note, days before the seed day, hour). A moment later than the seed is the seed's.
# Some end on the seed day, so the dashboard's default period (this month) has finished work.
RECENT = [
    ("0901234567", "1.001193", "H29.99", (0, None), []),
    ("0981112233", "2.000720", "H29.98", (1, 10), [("in_progress", "", 1, 10)]),
    ("0567123456", "1.004194", "H29.97", (2, 14), [("in_progress", "", 1, 14)]),
    (
        "0933445566",
        "1.000894",
        "H29.99",
        (1, 15),
        [("needs_supplement", "Missing certificate of marital status", 1, 15)],
    ),
    # Handled on the seed day: a same-day copy, a certificate on time, a business late.
    (
        "0778123456",
        "2.000635",
        "H29.98",
        (0, 8),
        [("in_progress", "", 0, 8), ("result_ready", "", 0, 9), ("returned", "", 0, 10)],
    ),
    (
        "0839123456",
        "2.000488",
        "H29.12",
        (6, 10),
        [("in_progress", "", 5, 9), ("result_ready", "", 0, 9)],
    ),
    (
        "0387654321",
        "2.000720",
        "H29.99",
        (14, 9),
        [("in_progress", "", 13, 9), ("result_ready", "", 0, 9), ("returned", "", 0, 11)],
    ),
]

# Upcoming appointments booked on the first seed, so the console has something to show and
# cancel: phone, agency of the office, which of that office's coming slots (0 = the first).
APPOINTMENTS = [
    ("0901234567", "H29.99", 2),
    ("0912345678", "H29.12", 4),
]

# username, password, full name, role, agency
STAFF = [
    ("admin", "demo-admin-2026", "Quản trị hệ thống", "admin", None),
    ("giamsat", "demo-supervisor-2026", "Lê Thị Giám Sát", "supervisor", None),
    ("tongdai1", "demo-agent-2026", "Nguyễn Thị Tổng Đài", "agent", None),
    ("canbo.saigon", "demo-officer-2026", "Trần Văn Một Cửa", "officer", "H29.99"),
    ("canbo.tuphap", "demo-officer-2026", "Phạm Thị Tư Pháp", "officer", "H29.12"),
]

HOLIDAYS = [
    (date(2026, 1, 1), "Tết Dương lịch", "New Year's Day"),
    *[(date(2026, 2, d), "Tết Nguyên đán", "Lunar New Year (Tết)") for d in range(16, 21)],
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)", "Hung Kings' Day (in lieu)"),
    (date(2026, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day"),
    (date(2026, 5, 1), "Quốc tế Lao động", "International Labour Day"),
    (date(2026, 9, 1), "Quốc khánh", "National Day"),
    (date(2026, 9, 2), "Quốc khánh", "National Day"),
    (date(2027, 1, 1), "Tết Dương lịch", "New Year's Day"),
    *[
        (date(2027, 2, d), "Tết Nguyên đán", "Lunar New Year (Tết)")
        for d in range(4, 11)
        if date(2027, 2, d).weekday() < 5
    ],
    (date(2027, 4, 16), "Giỗ Tổ Hùng Vương", "Hung Kings' Day"),
    (date(2027, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day"),
    (date(2027, 5, 1), "Quốc tế Lao động", "International Labour Day"),
    (date(2027, 9, 2), "Quốc khánh", "National Day"),
    (date(2027, 9, 3), "Quốc khánh", "National Day"),
]

# Counter hours for bookable slots (local time), every 30 minutes.
SLOT_TIMES = [
    (8, 0),
    (8, 30),
    (9, 0),
    (9, 30),
    (10, 0),
    (10, 30),
    (13, 30),
    (14, 0),
    (14, 30),
    (15, 0),
    (15, 30),
    (16, 0),
]
SLOT_DAYS_AHEAD = 14
