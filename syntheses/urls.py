from django.urls import path

from syntheses import views

app_name = "syntheses"

# key: a scope as selectors.scope_get reads it ("network", "country-12", "cg-7", "hg-40").
urlpatterns = [
    path("syntheses/<str:key>/", views.synthesis, name="synthesis"),
    path("syntheses/<str:key>/component/<str:code>/", views.criteria, name="criteria"),
    path("syntheses/<str:key>/components/<str:question>/", views.components, name="components"),
    path("syntheses/<str:key>/compare/", views.compare, name="compare"),
    path("syntheses/<str:key>/narrative/", views.narrative, name="narrative"),
    path("syntheses/<str:key>/recompute/", views.recompute, name="recompute"),
    path("syntheses/<str:key>/status/", views.status, name="status"),
]
