from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


directory = feed_groups_rss = feed_groups_atom = _todo
feed_homogeneous_rss = feed_homogeneous_atom = _todo
