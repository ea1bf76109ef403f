"""Progress indicators' pages: a coordination group's list, a new indicator (from its
synthesis: pick a component, then write the scale), one indicator with its levels, editing it
one language at a time, its history, and the network's shared indicators to adopt.

Published indicators are read by anyone who may see the group; drafts by its members only
(404 for anyone else). Writing is for the group's facilitators and the secretariat: anyone
else gets 404, as criteria pages answer. Bad input answers 400 with the message and saves
nothing; a save made on an older revision answers 409 with both versions.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from criteria.selectors import component_choices, component_list
from projects.evaluations.selectors import indicator_latest_evaluation
from projects.indicators.forms import (
    AdoptTargetForm,
    BaseLevelFormSet,
    ComponentPickForm,
    IndicatorForm,
    LevelFormSet,
    form_initial,
    levels_count,
    raw_levels,
    resized_levels,
)
from projects.indicators.selectors import (
    QuestionCriteria,
    adopted_origins,
    criteria_for_component,
    criteria_texts,
    facilitated_groups,
    indicator_get_or_404,
    indicator_languages,
    indicator_levels,
    indicator_list,
    indicator_origin,
    indicator_revision_get_or_404,
    indicator_revisions,
    indicator_view,
    levels_view,
    reader_language,
    shared_indicator_get_or_404,
    shared_indicator_levels,
    shared_indicators,
    synthesis_top_components,
    text_shown,
)
from projects.indicators.services import (
    IndicatorConflict,
    default_levels,
    indicator_adopt,
    indicator_create,
    indicator_update,
)
from projects.indicators.validation import LEVELS_MIN
from projects.models import Indicator
from projects.permissions import can_build_progress, can_see_progress_drafts
from syntheses.hooks import ScopeLink
from syntheses.models import Scope
from syntheses.selectors import ScopeRef
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.tenancy import TenantHttpRequest, tenant_required

SHARED_PER_PAGE = 30
REVISIONS_PER_PAGE = 50


# --- What other pages add -------------------------------------------------------------------------


def _evaluation(request: HttpRequest, indicator: Indicator) -> Mapping[str, Any] | None:
    """The "latest evaluation" part of the page: the latest session that placed the territory
    on it (drafts too for the group's members)."""
    latest = indicator_latest_evaluation(
        indicator=indicator,
        drafts=can_see_progress_drafts(request.user, indicator.tenant),
    )
    if latest is None:
        return None
    return {
        "template": "projects/evaluations/_indicator_latest.html",
        "session": latest.session,
        "shown": latest.shown,
    }


def synthesis_scope_links(*, ref: ScopeRef, user: object) -> list[ScopeLink]:
    """syntheses' scope links: a coordination group's synthesis page links to its progress
    indicators (built from that synthesis)."""
    if ref.scope != Scope.COORDINATION_GROUP or ref.tenant is None:
        return []
    return [
        ScopeLink(
            label=_("Progress indicators"),
            url=reverse("indicators:list", kwargs={"cg": ref.tenant.slug}),
            description=_(
                "Scales of situations, from the worst to the ideal, built from this synthesis."
            ),
        )
    ]


# --- Helpers --------------------------------------------------------------------------------------


def _builder_or_404(request: TenantHttpRequest) -> None:
    if not can_build_progress(request.user, request.tenant):
        raise Http404(_("Not found."))


def _languages_for(
    request: TenantHttpRequest, indicator: Indicator | None
) -> list[tuple[str, str]]:
    languages = indicator_languages(request.tenant)
    if indicator is not None and indicator.language not in {code for code, _n in languages}:
        languages.append((indicator.language, indicator.language))
    return languages


def _originals(texts_list: list[Mapping], language: str, source: str) -> list[dict[str, str]]:
    """What each text reads in the indicator's own language, shown beside a translation."""
    if language == source:
        return [{} for _texts in texts_list]
    return [
        {key: text_shown(texts, key, source)[0] for key in ("title", "description", "name")}
        for texts in texts_list
    ]


# --- A group's indicators -------------------------------------------------------------------------


@require_GET
@tenant_required(public=True)
def index(request: TenantHttpRequest, cg: str) -> HttpResponse:
    tenant = request.tenant
    context = {
        "tenant": tenant,
        "indicators": indicator_list(tenant, request.user),
        "can_build": can_build_progress(request.user, tenant),
        "sees_drafts": can_see_progress_drafts(request.user, tenant),
        "synthesis_key": f"{Scope.COORDINATION_GROUP}-{tenant.pk}",
    }
    return render(request, "projects/indicators/list.html", context)


@require_GET
@tenant_required(public=True)
def detail(request: TenantHttpRequest, cg: str, indicator: int) -> HttpResponse:
    tenant = request.tenant
    found = indicator_get_or_404(tenant, request.user, indicator)
    language = reader_language()
    levels = indicator_levels(found)
    context = {
        "tenant": tenant,
        "indicator": found,
        "shown": indicator_view(found.texts, language, found.language),
        "levels": levels_view(
            [(level.texts, list(level.criteria.all())) for level in levels],
            language,
            found.language,
        ),
        "origin": indicator_origin(found),
        "translations": sorted(code for code in found.texts if code != found.language),
        "can_build": can_build_progress(request.user, tenant),
        # The "latest evaluation" slot ({% block evaluation %}), filled by the evaluations.
        "evaluation": _evaluation(request, found),
    }
    return render(request, "projects/indicators/detail.html", context)


# --- Writing -------------------------------------------------------------------------------------


@dataclass
class _Scale:
    """How the new and edit pages draw and read the indicator's form in one language."""

    editing: bool
    language: str
    groups: list[QuestionCriteria]
    title_required: bool = True
    original: dict[str, str] = field(default_factory=dict)
    originals: list[dict[str, str]] = field(default_factory=list)
    linked: dict[int, str] = field(default_factory=dict)

    def form(self, data: Any = None, initial: Mapping[str, Any] | None = None) -> IndicatorForm:
        return IndicatorForm(
            data,
            initial=initial,
            editing=self.editing,
            title_required=self.title_required,
            original=self.original,
        )

    def formset(self, data: Any = None, initial: list[dict] | None = None) -> BaseLevelFormSet:
        return LevelFormSet(
            data,
            initial=initial,
            groups=self.groups,
            originals=self.originals,
            linked=self.linked,
        )


def _form_page(
    request: TenantHttpRequest,
    *,
    form: IndicatorForm,
    formset: BaseLevelFormSet,
    page: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {"tenant": request.tenant, "form": form, "formset": formset, **page, **extra}
    return render(request, "projects/indicators/form.html", context, status=status)


Save = Callable[[IndicatorForm, BaseLevelFormSet], HttpResponse]


def _posted(
    request: TenantHttpRequest, scale: _Scale, page: dict[str, Any], count: int, save: Save
) -> HttpResponse:
    """A POST of the form: drawn again with another number of levels (the "Change the number
    of levels" button, or a number changed before Save), refused (400) or saved."""
    data = request.POST
    typed = raw_levels(data)
    count = levels_count(data, len(typed) or count)
    if data.get("action") == "resize" or count != len(typed):
        form = scale.form(initial=form_initial(data, count))
        formset = scale.formset(initial=resized_levels(data, count, scale.language))
        return _form_page(request, form=form, formset=formset, page=page, resized=True)
    form, formset = scale.form(data), scale.formset(data)
    if not (form.is_valid() and formset.is_valid()):
        return _form_page(request, form=form, formset=formset, page=page, status=400)
    try:
        return save(form, formset)
    except DomainError as error:
        error.add_to(form)
        return _form_page(request, form=form, formset=formset, page=page, status=400)


def _actor(request: TenantHttpRequest) -> User:
    return cast(User, request.user)  # past _builder_or_404: signed in


@require_http_methods(["GET", "POST"])
@tenant_required(public=True)
def new(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """Step 1 (no component in the address): pick one; step 2: write the scale."""
    _builder_or_404(request)
    tenant = request.tenant
    languages = _languages_for(request, None)
    codes = [code for code, _name in languages]
    chosen = "component" in request.GET
    pick = ComponentPickForm(
        request.GET if chosen else None,
        families=component_choices(),
        languages=languages,
        initial={"lang": reader_language() if reader_language() in codes else codes[0]},
    )
    if not chosen or not pick.is_valid():
        context = {
            "tenant": tenant,
            "pick": pick,
            "top": synthesis_top_components(tenant),
            "language": pick["lang"].value() or codes[0],
            "synthesis_key": f"{Scope.COORDINATION_GROUP}-{tenant.pk}",
        }
        status = 400 if chosen else 200
        return render(request, "projects/indicators/new_pick.html", context, status=status)
    component = component_list().get(pk=pick.cleaned_data["component"])
    language = pick.cleaned_data["lang"]
    scale = _Scale(
        editing=False, language=language, groups=criteria_for_component(tenant, component)
    )
    page = {
        "component": component,
        "language": language,
        "language_name": dict(languages)[language],
        "groups": scale.groups,
        "action_url": request.get_full_path(),
        "cancel_url": reverse("indicators:new", kwargs={"cg": tenant.slug}),
    }
    if request.method == "GET":
        levels = default_levels(language)
        form = scale.form(initial={"levels_count": len(levels)})
        return _form_page(request, form=form, formset=scale.formset(initial=levels), page=page)

    def save(form: IndicatorForm, formset: BaseLevelFormSet) -> HttpResponse:
        created = indicator_create(
            tenant=tenant,
            actor=_actor(request),
            component=component,
            language=language,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            levels=formset.levels(),
        )
        messages.success(
            request,
            _(
                "The indicator is saved as a draft: only your platform's members see it until "
                "you publish it."
            ),
        )
        return redirect("indicators:detail", cg=tenant.slug, indicator=created.pk)

    return _posted(request, scale, page, LEVELS_MIN, save)


@require_http_methods(["GET", "POST"])
@tenant_required(public=True)
def edit(request: TenantHttpRequest, cg: str, indicator: int) -> HttpResponse:
    """The indicator in one language (?lang=), its scale, status and sharing."""
    _builder_or_404(request)
    tenant = request.tenant
    found = indicator_get_or_404(tenant, request.user, indicator)
    languages = _languages_for(request, found)
    language = request.GET.get("lang", "")
    if language not in dict(languages):
        language = found.language
    levels = indicator_levels(found)
    original = _originals([found.texts], language, found.language)[0]
    scale = _Scale(
        editing=True,
        language=language,
        groups=criteria_for_component(tenant, found.component),
        title_required=not original.get("title"),
        original=original,
        originals=_originals([level.texts for level in levels], language, found.language),
        linked={c.pk: c.text for level in levels for c in level.criteria.all()},
    )
    detail_url = reverse("indicators:detail", kwargs={"cg": tenant.slug, "indicator": found.pk})
    page = {
        "indicator": found,
        "component": found.component,
        "language": language,
        "language_name": dict(languages)[language],
        "languages": [(code, name, code in found.texts) for code, name in languages],
        "action_url": f"{request.path}?lang={language}",
        "cancel_url": detail_url,
        "groups": scale.groups,
    }
    if request.method == "GET":
        own = found.texts.get(language) or {}
        form = scale.form(
            initial={
                "title": own.get("title", ""),
                "description": own.get("description", ""),
                "levels_count": len(levels),
                "status": found.status,
                "shared": found.shared,
                "base_revision": found.revision,
            }
        )
        formset = scale.formset(
            initial=[
                {
                    "name": (level.texts.get(language) or {}).get("name", ""),
                    "description": (level.texts.get(language) or {}).get("description", ""),
                    "criteria": [c.pk for c in level.criteria.all()],
                }
                for level in levels
            ]
        )
        return _form_page(request, form=form, formset=formset, page=page)

    def save(form: IndicatorForm, formset: BaseLevelFormSet) -> HttpResponse:
        data = form.cleaned_data
        try:
            indicator_update(
                tenant=tenant,
                actor=_actor(request),
                indicator=found,
                base_revision=data["base_revision"],
                language=language,
                title=data["title"],
                description=data["description"],
                levels=formset.levels(),
                status=data["status"],
                shared=data["shared"],
                comment=data["comment"],
            )
        except IndicatorConflict as conflict:
            return _conflict_page(request, scale, page, form, formset, conflict)
        messages.success(request, _("Your changes were saved."))
        return redirect(detail_url)

    return _posted(request, scale, page, len(levels), save)


def _conflict_page(
    request: TenantHttpRequest,
    scale: _Scale,
    page: dict[str, Any],
    form: IndicatorForm,
    formset: BaseLevelFormSet,
    conflict: IndicatorConflict,
) -> HttpResponse:
    """409: their version (the latest revision) beside the form, which keeps her text; her
    next save is made on their revision, once she has seen it."""
    source = conflict.indicator.language
    content = conflict.latest.content if conflict.latest is not None else {}
    theirs = {
        "revision": conflict.latest,
        **indicator_view(content.get("texts") or {}, scale.language, source),
        "levels": levels_view(
            [(level.get("texts") or {}, []) for level in content.get("levels") or []],
            scale.language,
            source,
        ),
    }
    mine = scale.form(initial={**form.cleaned_data, "base_revision": conflict.indicator.revision})
    return _form_page(
        request,
        form=mine,
        formset=scale.formset(initial=formset.levels()),
        page=page,
        status=409,
        conflict=conflict,
        theirs=theirs,
    )


# --- History --------------------------------------------------------------------------------------


@require_GET
@tenant_required(public=True)
def history(request: TenantHttpRequest, cg: str, indicator: int) -> HttpResponse:
    tenant = request.tenant
    found = indicator_get_or_404(tenant, request.user, indicator)
    page = Paginator(indicator_revisions(found), REVISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "tenant": tenant,
        "indicator": found,
        "shown": indicator_view(found.texts, reader_language(), found.language),
        "page": page,
    }
    return render(request, "projects/indicators/history.html", context)


@require_GET
@tenant_required(public=True)
def revision(request: TenantHttpRequest, cg: str, indicator: int, number: int) -> HttpResponse:
    tenant = request.tenant
    found = indicator_get_or_404(tenant, request.user, indicator)
    saved = indicator_revision_get_or_404(found, number)
    content = saved.content or {}
    language = reader_language()
    source = str(content.get("language") or found.language)
    stored_levels = content.get("levels") or []
    ids = [pk for level in stored_levels for pk in level.get("criteria") or []]
    texts = criteria_texts(tenant, ids)
    context = {
        "tenant": tenant,
        "indicator": found,
        "saved": saved,
        "status": Indicator.Status(content["status"]).label
        if content.get("status") in Indicator.Status.values
        else "",
        "shown": indicator_view(content.get("texts") or {}, language, source),
        "levels": levels_view(
            [
                (
                    level.get("texts") or {},
                    [texts[pk] for pk in level.get("criteria") or [] if pk in texts],
                )
                for level in stored_levels
            ],
            language,
            source,
        ),
        "component_code": content.get("component_code", ""),
        "newer": saved.number < found.revision,
    }
    return render(request, "projects/indicators/revision.html", context)


# --- The network's shared indicators --------------------------------------------------------------


@require_GET
def shared(request: HttpRequest) -> HttpResponse:
    """Every platform's published, shared indicators; a facilitator adopts one for her group."""
    page = Paginator(shared_indicators(), SHARED_PER_PAGE).get_page(request.GET.get("page"))
    groups = facilitated_groups(request.user)
    target = None
    target_form = None
    if groups:
        wanted = request.GET.get("cg", "")
        target = next((group for group in groups if group.slug == wanted), groups[0])
        target_form = AdoptTargetForm(initial={"cg": target.slug}, groups=groups)
    adopted = adopted_origins(target, [item.pk for item in page]) if target else set()
    context = {
        "page": page,
        "target": target,
        "target_form": target_form,
        "adopted": adopted,
    }
    return render(request, "projects/indicators/shared.html", context)


@require_http_methods(["GET", "POST"])
@tenant_required(public=True)
def adopt(request: TenantHttpRequest, cg: str, indicator: int) -> HttpResponse:
    """Confirm (GET) and adopt (POST) a shared indicator for the group of the address."""
    _builder_or_404(request)
    tenant = request.tenant
    source = shared_indicator_get_or_404(indicator)
    language = reader_language()
    context = {
        "tenant": tenant,
        "source": source,
        "shown": indicator_view(source.texts, language, source.language),
        "levels": levels_view(
            [(level.texts, []) for level in shared_indicator_levels(source)],
            language,
            source.language,
        ),
        "adopted": bool(adopted_origins(tenant, [source.pk])),
    }
    if request.method == "GET":
        return render(request, "projects/indicators/adopt.html", context)
    try:
        created = indicator_adopt(tenant=tenant, actor=_actor(request), source=source)
    except DomainError as error:
        return render(
            request,
            "projects/indicators/adopt.html",
            {**context, "problem": error.message},
            status=400,
        )
    messages.success(
        request,
        _(
            "The indicator is adopted as a draft of your platform. Link your own criteria to its "
            "levels, then publish it."
        ),
    )
    return redirect("indicators:edit", cg=tenant.slug, indicator=created.pk)
