"""A fixed-window counter in Django's cache, against card-testing on the public Pay Now form, keyed on the
client's address — read through the site's trusted proxies with python-ipware when ``TRUSTED_PROXIES`` says
there are some, and the connection's own address otherwise (an X-Forwarded-For header anyone can send is
never believed on its own)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from python_ipware import IpWare

from . import conf


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = conf.get("TRUSTED_PROXIES")
    if not trusted:
        return remote
    if isinstance(trusted, int) and not isinstance(trusted, bool):
        ipware = IpWare(proxy_count=trusted)
    else:
        ipware = IpWare(proxy_list=[str(prefix) for prefix in trusted])
    address, through_trusted_proxies = ipware.get_client_ip(request.META)
    # A request that did not come through the proxies as configured is keyed on its own connection.
    return str(address) if address is not None and through_trusted_proxies else remote


def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; False once ``limit`` hits were counted in the current window."""
    if limit <= 0:
        return True
    bucket = f"caseflow:rate:{key}:{int(time.time() // window_seconds)}"
    cache.add(bucket, 0, timeout=window_seconds + 1)
    try:
        hits = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, timeout=window_seconds + 1)
        hits = 1
    return hits <= limit
