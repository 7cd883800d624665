"""The site search that ``wagtail start`` generates, unchanged: invoices never show up in it."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from wagtail.models import Page


def search(request: HttpRequest) -> TemplateResponse:
    search_query = request.GET.get("query", None)
    page = request.GET.get("page", 1)

    search_results = Page.objects.live().search(search_query) if search_query else Page.objects.none()

    paginator = Paginator(search_results, 10)
    try:
        search_results = paginator.page(page)
    except PageNotAnInteger:
        search_results = paginator.page(1)
    except EmptyPage:
        search_results = paginator.page(paginator.num_pages)

    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": search_query, "search_results": search_results},
    )
