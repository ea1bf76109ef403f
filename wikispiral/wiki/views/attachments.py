"""A space's attachments: the list with its upload form, and the files themselves."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
)

from wikispiral.wiki import selectors, services
from wikispiral.wiki.forms import (
    AttachmentForm,
)
from wikispiral.wiki.models import Space
from wikispiral.wiki.permissions import (
    can_upload,
)
from wikispiral.wiki.views._common import _refuse


@require_http_methods(["GET", "POST"])
def attachment_list(request: HttpRequest, space: str) -> HttpResponse:
    space_obj = selectors.space_get(slug=space, user=request.user)
    allowed = can_upload(request.user, space_obj)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if not allowed:
            _refuse(request, space_obj, _("You may not upload files here."))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.attachment_upload(
                    space=space_obj,
                    page=None,
                    actor=request.user,
                    uploaded=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                )
            except services.WikiError as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    _("Uploaded. Use it in a page as ![description](attachment:%(name)s).")
                    % {"name": attachment.name},
                )
                return redirect("wiki:attachments", space=space_obj.slug)
        status = 400
    context = {
        "space": space_obj,
        "attachments": selectors.attachment_list(space=space_obj)[:200],
        "form": form if allowed else None,
    }
    return render(request, "wiki/attachments.html", context, status=status)


@require_GET
def attachment_file(request: HttpRequest, space: str, name: str) -> FileResponse:
    space_obj: Space = selectors.space_get(slug=space, user=request.user)
    attachment = selectors.attachment_get(space=space_obj, name=name)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="{attachment.name}"'
    # A served file never runs script, even a PDF viewer's: sandbox it.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if space_obj.is_public:
        patch_cache_control(response, public=True, max_age=60 * 60)
    else:
        patch_cache_control(response, private=True)
    return response
