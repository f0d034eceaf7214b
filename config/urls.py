"""The one check of a base URL citations link under (``CITEBOT_SOURCE_URL``, ``source_url``)."""

from __future__ import annotations

from urllib.parse import urlsplit


def checked_source_url(url: str) -> str:
    """``url`` stripped, its scheme lower-cased; ValueError saying what is wrong when it could
    not make a link (no http/https scheme, no host, white space: ``https://`` linked
    ``https:///page.txt``). Empty stays empty (no links)."""
    url = url.strip()
    if not url:
        return url
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        raise ValueError("must start with http:// or https:// and a host (or be empty)")
    url = f"{scheme.lower()}://{rest}"
    if any(c.isspace() for c in url):
        raise ValueError("must not contain spaces (write them as %20)")
    if not urlsplit(url).hostname:
        raise ValueError("must name a host after the scheme, e.g. https://docs.example.org/")
    return url
