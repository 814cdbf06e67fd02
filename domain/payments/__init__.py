"""Fees and payment (level 4 online services): the wire formats of VNPAY and VietQR first, and
how amounts of đồng are written for citizens."""
