"""Seeded allow-list and shared address ranges (editable by administrators; seeding never overwrites).

The lists are a starting point, not an authority: review them for your province.
The CDN ranges are the providers' published lists as known in 2026; refresh them from
https://www.cloudflare.com/ips/ and https://api.fastly.com/public-ip-list.
"""

from __future__ import annotations

PROTECTED_DOMAINS: list[tuple[str, str, str]] = [
    # government
    ("chinhphu.vn", "government", "Cổng thông tin điện tử Chính phủ"),
    ("mic.gov.vn", "government", "Bộ Thông tin và Truyền thông"),
    ("mst.gov.vn", "government", "Bộ Khoa học và Công nghệ"),
    ("bocongan.gov.vn", "government", "Bộ Công an"),
    ("dichvucong.gov.vn", "government", "Cổng Dịch vụ công quốc gia"),
    ("vinhlong.gov.vn", "government", "Cổng thông tin điện tử tỉnh Vĩnh Long"),
    ("ncsc.gov.vn", "government", "Trung tâm Giám sát an toàn không gian mạng quốc gia"),
    ("tinnhiemmang.vn", "government", "Tín nhiệm mạng"),
    # banks and payment
    ("vietcombank.com.vn", "bank", ""),
    ("vietinbank.vn", "bank", ""),
    ("bidv.com.vn", "bank", ""),
    ("agribank.com.vn", "bank", ""),
    ("techcombank.com", "bank", ""),
    ("techcombank.com.vn", "bank", ""),
    ("mbbank.com.vn", "bank", ""),
    ("acb.com.vn", "bank", ""),
    ("vpbank.com.vn", "bank", ""),
    ("tpb.vn", "bank", ""),
    ("sacombank.com.vn", "bank", ""),
    ("napas.com.vn", "bank", ""),
    ("momo.vn", "bank", "e-wallet"),
    ("zalopay.vn", "bank", "e-wallet"),
    ("vnpay.vn", "bank", ""),
    # platforms
    ("google.com", "platform", ""),
    ("google.com.vn", "platform", ""),
    ("youtube.com", "platform", ""),
    ("facebook.com", "platform", ""),
    ("fb.com", "platform", ""),
    ("messenger.com", "platform", ""),
    ("instagram.com", "platform", ""),
    ("tiktok.com", "platform", ""),
    ("zalo.me", "platform", ""),
    ("zalo.vn", "platform", ""),
    ("microsoft.com", "platform", ""),
    ("live.com", "platform", ""),
    ("apple.com", "platform", ""),
    ("icloud.com", "platform", ""),
    ("shopee.vn", "platform", ""),
    ("lazada.vn", "platform", ""),
    ("tiki.vn", "platform", ""),
    ("telegram.org", "platform", ""),
    ("t.me", "platform", ""),
    ("x.com", "platform", ""),
    ("twitter.com", "platform", ""),
    # CDNs and clouds
    ("cloudflare.com", "cdn", ""),
    ("akamai.net", "cdn", ""),
    ("akamaiedge.net", "cdn", ""),
    ("akamaized.net", "cdn", ""),
    ("cloudfront.net", "cdn", ""),
    ("fastly.net", "cdn", ""),
    ("amazonaws.com", "cdn", ""),
    ("googleusercontent.com", "cdn", ""),
    ("gstatic.com", "cdn", ""),
    ("azureedge.net", "cdn", ""),
    # shared hosting: tenants live on subdomains, which may be blocked one by one
    ("wordpress.com", "shared_hosting", ""),
    ("wixsite.com", "shared_hosting", ""),
    ("weebly.com", "shared_hosting", ""),
    ("tumblr.com", "shared_hosting", ""),
    ("bit.ly", "shared_hosting", "URL shortener: report the short link to the provider"),
    ("tinyurl.com", "shared_hosting", "URL shortener"),
]

SHARED_ADDRESS_RANGES: list[tuple[str, str]] = [
    *[
        (cidr, "Cloudflare")
        for cidr in (
            "173.245.48.0/20",
            "103.21.244.0/22",
            "103.22.200.0/22",
            "103.31.4.0/22",
            "141.101.64.0/18",
            "108.162.192.0/18",
            "190.93.240.0/20",
            "188.114.96.0/20",
            "197.234.240.0/22",
            "198.41.128.0/17",
            "162.158.0.0/15",
            "104.16.0.0/13",
            "104.24.0.0/14",
            "172.64.0.0/13",
            "131.0.72.0/22",
            "2400:cb00::/32",
            "2606:4700::/32",
            "2803:f800::/32",
            "2405:b500::/32",
            "2405:8100::/32",
            "2a06:98c0::/29",
            "2c0f:f248::/32",
        )
    ],
    *[
        (cidr, "Fastly")
        for cidr in (
            "23.235.32.0/20",
            "43.249.72.0/22",
            "103.244.50.0/24",
            "103.245.222.0/23",
            "103.245.224.0/24",
            "104.156.80.0/20",
            "140.248.64.0/18",
            "140.248.128.0/17",
            "146.75.0.0/17",
            "151.101.0.0/16",
            "157.52.64.0/18",
            "167.82.0.0/17",
            "167.82.128.0/20",
            "167.82.160.0/20",
            "167.82.224.0/20",
            "172.111.64.0/18",
            "185.31.16.0/22",
            "199.27.72.0/21",
            "199.232.0.0/16",
        )
    ],
]
