"""Stripe's API resources: one module per resource, each a class of handlers on ``base.Resource``.

The route table (``_routes``) names each handler; ``_api.Api`` composes every class into the one object
the HTTP layer calls. See the package docstring of ``stripe_emulator`` for what may import what.
"""
