"""A fixed-window counter in Django's cache, against card-testing on the public Pay Now form."""

from __future__ import annotations

import time

from django.core.cache import cache


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
