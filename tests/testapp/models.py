from wagtail.models import Page


class SectionPage(Page):
    """A plain creatable page: a site section that an editor may copy with its subpages."""
