from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.contrib.sitemaps.views import sitemap

from tests.testapp.views import media, search

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap),
    path("search/", search, name="search"),
    path("media/<path:path>", media),
    path("billing/", include("caseflow_wagtail.urls")),
    path("", include(wagtail_urls)),
]
