"""The training-centre portal's candidate pages: the list of my centre's candidates, a
candidate's page, the register / edit form and the privacy and pipeline actions.

Routes are thin: they read the form, call the same use cases as the JSON API
(`service_layer`), and render. Rules live in the domain and the service layer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.candidates.domain.commands import MoveCandidate, UpdateCandidate
from kakehashi.candidates.domain.consent import (
    ConsentConflictError,
    ConsentTerms,
    NoticeLanguage,
    Purpose,
    Scope,
)
from kakehashi.candidates.domain.japanese import japanese_test_kinds
from kakehashi.candidates.domain.names import DuplicateCandidateError
from kakehashi.candidates.domain.pipeline import (
    TRANSITIONS,
    HeldByMatchError,
    Status,
    TransitionNotAllowedError,
)
from kakehashi.candidates.domain.privacy import CandidateErasedError
from kakehashi.candidates.domain.provinces import provinces_in_force
from kakehashi.candidates.entrypoints import privacy_api
from kakehashi.candidates.entrypoints.convert import profile_changes, register_command
from kakehashi.candidates.entrypoints.portal import forms, labels
from kakehashi.candidates.entrypoints.portal.labels import N_
from kakehashi.candidates.entrypoints.portal.rendering import (
    PREFIX,
    actor_namer,
    order_namer,
    render,
    translations,
)
from kakehashi.candidates.entrypoints.portal.session import Centre, PortalUser, check_csrf
from kakehashi.candidates.service_layer import consents, handlers, placements, privacy, queries
from kakehashi.shared import skills
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import (
    PREFECTURE_NAMES_JA,
    PREFECTURES,
    JapaneseLevel,
    Sector,
    Track,
)
from kakehashi.shared.skills import taxonomy
from kakehashi.shared.ui import i18n
from kakehashi.shared.ui.pages import flash, language_of
from kakehashi.shared.web import UowDep, attachment

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE_SIZE = 25
# The privacy notice a centre shows the person before recording their consent; its text is
# the template `_notice.html`, in the language chosen. A new text is a new version.
NOTICE_VERSION = "2026-01"
# The moves a centre makes by hand on the candidate's page (matching's decisions make the rest).
CENTRE_MOVES = (Status.IN_TRAINING, Status.READY, Status.WITHDRAWN)
# Why the centre cannot take a candidate whom an order holds back to training, and how to.
HELD_BY_MATCH = N_(
    "An order holds this candidate in matching: they cannot go back to training from here. To "
    "release them, the program manager rejects or withdraws them in matching, or you withdraw "
    "the candidate (this ends every order's pair)."
)  # a flash cookie holds at most 300 characters
E = TypeVar("E", bound=StrEnum)


def _choice(kind: type[E], value: str) -> E | None:
    """A filter's value, or None ("any") when blank or not one of `kind`."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _gettext(request: Request) -> Any:
    return translations(language_of(request)).gettext


def _is_htmx(request: Request) -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _not_found(request: Request, principal: Principal) -> HTMLResponse:
    return render(request, "not_found.html", principal, status_code=status.HTTP_404_NOT_FOUND)


@router.get("")
def home() -> Response:
    return _see_other(PREFIX + "/candidates")


# The list -----------------------------------------------------------------------------------


@router.get("/candidates")
def candidates_page(
    request: Request,
    principal: PortalUser,
    uow: UowDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status_: Annotated[str, Query(alias="status", max_length=32)] = "",
    sector: Annotated[str, Query(max_length=64)] = "",
    level: Annotated[str, Query(max_length=8)] = "",
    track: Annotated[str, Query(max_length=8)] = "",
    sort: Annotated[str, Query(max_length=32)] = "newest",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    centre: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """My centre's candidates (every centre's for admins, who may narrow by centre): search by
    name in any script or id, filters, sort, pages, and how many stand at each status. htmx
    asks for the results only."""
    centre = centre.strip() if principal.sees_everything else ""
    filters = queries.CandidateFilters(
        training_centre_id=centre or None,
        text=q or None,
        status=_choice(Status, status_),
        sector=_choice(Sector, sector),
        eligible_for=_choice(Track, track),
        min_japanese_level=_choice(JapaneseLevel, level),
    )
    sort = sort if sort in queries.SORTS else "newest"
    listed = queries.candidate_list(
        uow, principal, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, sort=sort
    )
    found, total, counts = listed.found, listed.total, listed.counts
    params = {
        "q": q, "status": status_, "sector": sector, "level": level, "track": track,
        "centre": centre,
    }  # fmt: skip

    def list_url(changes: dict[str, object]) -> str:
        """This list again with `changes` to its parameters (blank ones left out)."""
        merged = {"page": page} | params | {"sort": sort} | changes
        kept = {key: value for key, value in merged.items() if value not in ("", None)}
        if kept.get("sort") == "newest":
            kept.pop("sort")
        if kept.get("page") == 1:
            kept.pop("page")
        return f"{PREFIX}/candidates?{urlencode(kept)}".rstrip("?")

    context: dict[str, Any] = {
        "list_url": list_url,
        "found": found,
        "total": total,
        "counts": counts,
        "all_count": sum(counts.values()),
        "params": params | {"sort": sort},
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "statuses": list(Status),
        "sectors": list(Sector),
        "tracks": list(Track),
        "levels": [lv for lv in JapaneseLevel if lv is not JapaneseLevel.NONE],
    }
    partial = _is_htmx(request)
    template = "_results.html" if partial else "candidates.html"
    response = render(request, template, principal, oob=partial, **context)
    # The URL is the same for the page and its results: the browser must not show the cached
    # results alone when the person comes back to the page.
    response.headers["Vary"] = "HX-Request"
    if partial:
        response.headers["Cache-Control"] = "no-store"
    return response


# The form -----------------------------------------------------------------------------------


def _options(table: dict[str, str], gettext: Any) -> list[tuple[str, str]]:
    return [(code, gettext(name)) for code, name in table.items()]


def _province_options(current: str, language: str) -> list[tuple[str, str]]:
    """The provinces in force today, named for the reader; a stored unit no longer in force (a
    profile registered before the 2025 merger) stays on the list so that saving keeps it."""
    options = [(unit.name, unit.label(language)) for unit in provinces_in_force(today())]
    if current and current not in {value for value, _ in options}:
        options.insert(0, (current, current))
    return options


def _form_context(state: forms.FormState, language: str) -> dict[str, Any]:
    """The form's values, errors and choices (named in the reader's language)."""
    gettext = translations(language).gettext
    sector = _choice(Sector, str(state.values.get("sector", "")))
    listed = [skill.code for skill in taxonomy().of_sector(sector)] if sector else []
    # Skills held that the sector's list does not name stay on the form (and so are kept).
    held = [key.split(".")[1] for key in state.values if forms.SKILL_LEVEL.fullmatch(key)]

    def field_label(name: str) -> str:
        """What the error summary calls a field, in the reader's language."""
        key = forms.label_key(name)
        text = gettext(forms.FIELD_LABELS[key]) if key in forms.FIELD_LABELS else name
        parts = name.split(".")
        if parts[0] in forms.ROWS and len(parts) == 3 and parts[1].isdigit():
            text = f"{text} ({int(parts[1]) + 1})"
        if parts[0] == "skills" and len(parts) == 3:
            text = f"{text}: {skills.label(parts[1], language)}"
        return text

    return {
        "field_label": field_label,
        "state": state,
        "values": state.values,
        "errors": state.errors,
        "skill_codes": listed + [code for code in held if code not in listed],
        "sector_options": _options(labels.SECTORS, gettext),
        "track_options": _options(labels.TRACKS, gettext),
        "sex_options": _options(labels.SEXES, gettext),
        "health_options": _options(labels.HEALTH, gettext),
        "education_options": _options(labels.EDUCATION, gettext),
        "level_options": [
            (lv.value, gettext(labels.LEVELS.get(lv.value, lv.value))) for lv in JapaneseLevel
        ],
        "test_options": [
            (
                code,
                gettext(labels.JAPANESE_TESTS[code])
                if code in labels.JAPANESE_TESTS
                else kind.name,
            )
            for code, kind in japanese_test_kinds().items()
        ],
        "province_options": _province_options(str(state.values.get("province", "")), language),
        "prefecture_options": [
            (name, PREFECTURE_NAMES_JA[name] if language == "ja" else name) for name in PREFECTURES
        ],
        "notice_options": list(labels.NOTICE_LANGUAGES.items()),
        "notice_version": NOTICE_VERSION,
        "under_age": forms.under_age_warning(state.values, gettext, _day_writer(language)),
    }


def _day_writer(language: str) -> Callable[[date], str]:
    return lambda day: i18n.long_date(day, language)


def _form_page(
    request: Request,
    principal: Principal,
    state: forms.FormState,
    *,
    candidate_id: str | None = None,
    status_code: int = 200,
    duplicate: DuplicateCandidateError | None = None,
) -> HTMLResponse:
    action = (
        f"{PREFIX}/candidates/{candidate_id}/edit" if candidate_id else f"{PREFIX}/candidates/new"
    )
    return render(
        request,
        "candidate_form.html",
        principal,
        status_code=status_code,
        page_url=action,
        action=action,
        candidate_id=candidate_id,
        duplicate=duplicate,
        **_form_context(state, language_of(request)),
    )


@router.get("/candidates/new")
def new_candidate_page(request: Request, principal: Centre) -> HTMLResponse:
    values: forms.Values = {"notice_language": language_of(request)}
    return _form_page(request, principal, forms.FormState(values=values))


@router.get("/candidates/form/skills")
def skills_fieldset(
    request: Request, principal: Centre, sector: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    """The skills of the chosen sector (htmx swaps them in when the sector changes)."""
    state = forms.FormState(values={"sector": sector})
    return render(request, "_skills.html", principal, **_form_context(state, language_of(request)))


@router.get("/candidates/form/age")
def age_warning(
    request: Request,
    principal: Centre,
    date_of_birth: Annotated[str, Query(max_length=10)] = "",
    available_from: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """A warning while the form is filled in, when the person will be under 18 on the day they
    are available (htmx asks when the birth or availability date changes)."""
    language = language_of(request)
    values: forms.Values = {"date_of_birth": date_of_birth, "available_from": available_from}
    warning = forms.under_age_warning(values, _gettext(request), _day_writer(language))
    return render(request, "_age_warning.html", principal, under_age=warning)


@router.get("/candidates/form/duplicates")
def duplicate_warning(
    request: Request,
    principal: Centre,
    uow: UowDep,
    full_name: Annotated[str, Query(max_length=200)] = "",
    date_of_birth: Annotated[str, Query(max_length=10)] = "",
    passport_number: Annotated[str, Query(max_length=32)] = "",
    candidate_id: Annotated[str, Query(max_length=36)] = "",
) -> HTMLResponse:
    """A warning while the form is filled in, when the person looks registered already (by the
    registration's own duplicate rule); htmx asks when the name, birth date or passport change."""
    try:
        born = date.fromisoformat(date_of_birth) if date_of_birth else None
    except ValueError:
        born = None
    duplicate = None
    if full_name.strip() or passport_number.strip():
        duplicate = queries.possible_duplicate(
            uow, principal, full_name, born, passport_number.strip() or None, candidate_id or None
        )
    return render(request, "_duplicate.html", principal, duplicate=duplicate)


def _consents(values: forms.Values) -> list[dict[str, str]]:
    """The consents ticked on the form, under the notice shown (version and language)."""
    language = str(values.get("notice_language") or "vi")
    ticked = {
        "consent_sharing": Scope.SHARE_WITH_EMPLOYERS_IN_JAPAN,
        "consent_transfer": Scope.TRANSFER_ABROAD,
    }
    return [
        {
            "purpose": Purpose.MATCHING_IN_JAPAN.value,
            "scope": scope.value,
            "notice_version": NOTICE_VERSION,
            "language": language,
        }
        for name, scope in ticked.items()
        if values.get(name) == "yes"
    ]


@router.post("/candidates/new")
async def register_candidate(request: Request, principal: Centre, uow: UowDep) -> Response:
    """Register from the form; refused fields come back next to their inputs (422), a person
    already registered comes back as a warning (409)."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    gettext = _gettext(request)
    state = forms.FormState(values=forms.values_of_form(form))
    created, _ = forms.validate_create(state.values, state, gettext, _consents(state.values))
    if created is not None:
        try:
            command = register_command(principal.organisation_id, created)
            found = handlers.register_candidate(uow, principal, command)
        except DomainError as error:
            state.errors.update(forms.domain_error(error, state, gettext))
        except DuplicateCandidateError as duplicate:
            return _form_page(
                request, principal, state, status_code=status.HTTP_409_CONFLICT, duplicate=duplicate
            )
        else:
            response = _see_other(f"{PREFIX}/candidates/{found.row.id}")
            flash(response, N_("The candidate is registered."))
            return response
    return _form_page(request, principal, state, status_code=422)


@router.get("/candidates/{candidate_id}/edit")
def edit_candidate_page(
    request: Request, candidate_id: str, principal: Centre, uow: UowDep
) -> HTMLResponse:
    found = handlers.get_candidate(uow, principal, candidate_id)
    if found is None or found.row.training_centre_id != principal.organisation_id:
        return _not_found(request, principal)
    state = forms.FormState(values=forms.values_of_candidate(found.row))
    return _form_page(request, principal, state, candidate_id=candidate_id)


@router.post("/candidates/{candidate_id}/edit")
async def edit_candidate(
    request: Request, candidate_id: str, principal: Centre, uow: UowDep
) -> Response:
    """Save the changed profile; every field of the form is the new value (blank clears)."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    gettext = _gettext(request)
    state = forms.FormState(values=forms.values_of_form(form))
    created, body = forms.validate_create(state.values, state, gettext)
    if created is not None:
        try:
            command = UpdateCandidate(candidate_id, profile_changes(forms.patch_of(body)))
            found = handlers.update_candidate(uow, principal, command)
        except DomainError as error:
            state.errors.update(forms.domain_error(error, state, gettext))
        except DuplicateCandidateError as duplicate:
            return _form_page(
                request,
                principal,
                state,
                candidate_id=candidate_id,
                status_code=status.HTTP_409_CONFLICT,
                duplicate=duplicate,
            )
        except CandidateErasedError:
            return _not_found(request, principal)
        else:
            if found is None:
                return _not_found(request, principal)
            response = _see_other(f"{PREFIX}/candidates/{candidate_id}")
            flash(response, N_("The changes are saved."))
            return response
    return _form_page(request, principal, state, candidate_id=candidate_id, status_code=422)


# A candidate's page -------------------------------------------------------------------------


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@router.get("/candidates/{candidate_id}")
def candidate_page(
    request: Request, candidate_id: str, principal: PortalUser, uow: UowDep
) -> HTMLResponse:
    """Eligibility per track with reasons, pipeline and training history, where the candidate
    stands in matching, consents, and the privacy actions."""
    file = placements.candidate_file(uow, principal, candidate_id)
    if file is None:
        return _not_found(request, principal)
    current = Status(file.candidate.row.status)
    moves = [move for move in CENTRE_MOVES if move in TRANSITIONS[current]]
    language = language_of(request)
    return render(
        request,
        "candidate.html",
        principal,
        under_age=forms.under_age_warning(
            {
                "date_of_birth": _iso(file.candidate.row.date_of_birth),
                "available_from": _iso(file.candidate.row.available_from),
            },
            translations(language).gettext,
            _day_writer(language),
        ),
        order_name=order_namer(request, file.orders, language),
        actor_name=actor_namer(request, file.actor_kinds, language, file.orders),
        file=file,
        row=file.candidate.row,
        moves=moves,
        notice_version=NOTICE_VERSION,
        notice_languages=list(NoticeLanguage),
        test_kinds=japanese_test_kinds(),
    )


@router.post("/candidates/{candidate_id}/move")
async def move_candidate(
    request: Request, candidate_id: str, principal: PortalUser, uow: UowDep
) -> Response:
    """A training step (in training, ready) or a withdrawal, by the pipeline's rules."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    target = _choice(Status, str(form.get("to") or ""))
    page = f"{PREFIX}/candidates/{candidate_id}"
    response = _see_other(page)
    if target not in CENTRE_MOVES:
        flash(response, N_("This move is made by matching's decisions, not here."), "error")
        return response
    try:
        found = handlers.move_candidate(uow, principal, MoveCandidate(candidate_id, target, None))
    except HeldByMatchError:
        flash(response, HELD_BY_MATCH, "error")
        return response
    except TransitionNotAllowedError:
        flash(response, N_("The pipeline does not allow this move now."), "error")
        return response
    if found is None:
        return _not_found(request, principal)
    flash(response, N_("The status is changed."))
    return response


@router.post("/candidates/{candidate_id}/consents")
async def record_consent(
    request: Request, candidate_id: str, principal: Centre, uow: UowDep
) -> Response:
    """Record the sharing consent the person gave after reading the notice shown."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    language = _choice(NoticeLanguage, str(form.get("notice_language") or ""))
    response = _see_other(f"{PREFIX}/candidates/{candidate_id}")
    if form.get("confirm") != "yes" or language is None:
        flash(
            response, N_("Tick the box to confirm the person read the notice and agreed."), "error"
        )
        return response
    terms = ConsentTerms(
        Purpose.MATCHING_IN_JAPAN, Scope.SHARE_WITH_EMPLOYERS_IN_JAPAN, NOTICE_VERSION, language
    )
    try:
        consent = consents.record_consent(uow, principal, candidate_id, terms)
    except ConsentConflictError:
        flash(response, N_("This consent is recorded already."), "error")
        return response
    except CandidateErasedError:
        return _not_found(request, principal)
    if consent is None:
        return _not_found(request, principal)
    flash(response, N_("The consent is recorded; matching will hear of the candidate."))
    return response


@router.post("/candidates/{candidate_id}/consents/{consent_id}/withdraw")
async def withdraw_consent(
    request: Request, candidate_id: str, consent_id: str, principal: PortalUser, uow: UowDep
) -> Response:
    """The person takes a consent back; without a sharing consent, matching drops them."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    reason = str(form.get("reason") or "").strip()[:500] or None
    response = _see_other(f"{PREFIX}/candidates/{candidate_id}")
    try:
        withdrawn = consents.withdraw_consent(uow, principal, candidate_id, consent_id, reason)
    except ConsentConflictError:
        flash(response, N_("This consent was withdrawn already."), "error")
        return response
    except CandidateErasedError:
        return _not_found(request, principal)
    if withdrawn is None:
        return _not_found(request, principal)
    flash(response, N_("The consent is withdrawn."))
    return response


@router.post("/candidates/{candidate_id}/export")
async def export_candidate(
    request: Request, candidate_id: str, principal: PortalUser, uow: UowDep
) -> Response:
    """Everything held about the candidate as a JSON file (the same export as the API's)."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    try:
        export = privacy_api.export_candidate(candidate_id, principal, uow)
    except HTTPException:
        return _not_found(request, principal)
    return attachment(
        export.model_dump_json(indent=2).encode(),
        "application/json",
        f"candidate-{candidate_id}.json",
    )


@router.post("/candidates/{candidate_id}/erase")
async def erase_candidate(
    request: Request, candidate_id: str, principal: PortalUser, uow: UowDep
) -> Response:
    """Anonymise the candidate at the person's request (confirmed by a tick)."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    response = _see_other(f"{PREFIX}/candidates/{candidate_id}")
    if form.get("confirm") != "yes":
        flash(response, N_("Tick the box to confirm the erasure."), "error")
        return response
    erased = privacy.erase_candidate(uow, principal, candidate_id)
    if erased is None:
        return _not_found(request, principal)
    flash(response, N_("The candidate's personal data is erased."))
    return response


# Notifications ------------------------------------------------------------------------------


@router.get("/notifications")
def notifications_page(request: Request, principal: PortalUser, uow: UowDep) -> HTMLResponse:
    """What happened lately to my candidates in matching, newest first."""
    recent = placements.recent_placements(uow, principal, limit=100)
    orders = {p.job_order_id: p.order for p in recent if p.order is not None}
    order_name = order_namer(request, orders, language_of(request))
    return render(request, "notifications.html", principal, recent=recent, order_name=order_name)
