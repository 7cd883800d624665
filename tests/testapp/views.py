from django.conf import settings
from django.http import JsonResponse
from django.views.static import serve
from wagtail.models import Page


def search(request):
    """The search a site made with ``wagtail start`` has: live pages matching the query."""
    query = request.GET.get("query", "")
    results = Page.objects.live().search(query) if query else []
    return JsonResponse({"results": [{"title": page.title, "url": page.url} for page in results]})


def media(request, path):
    """MEDIA_ROOT served as a host site's web server would (read per request: tests point it at tmp_path)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
