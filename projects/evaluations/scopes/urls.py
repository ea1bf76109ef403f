from django.urls import path

from projects.evaluations.scopes import views

app_name = "evaluation_scopes"

# key: a scope as syntheses.selectors.scope_get reads it ("network", "country-12", "cg-7",
# "hg-40"): the evaluations of the same scopes as the syntheses.
urlpatterns = [
    path("progress/<str:key>/", views.scope_progress, name="scope"),
]
