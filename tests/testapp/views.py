from django.http import JsonResponse
from wagtail.models import Page


def search(request):
    """The search a site made with ``wagtail start`` has: live pages matching the query."""
    query = request.GET.get("query", "")
    results = Page.objects.live().search(query) if query else []
    return JsonResponse({"results": [{"title": page.title, "url": page.url} for page in results]})
