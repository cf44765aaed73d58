"""The desk screens: sign-in, today's inbox, review, register/search, monitoring.

Server-rendered (Jinja2), Hindi first; every word comes from `locales/*.json` through
`i18n.Translator`. Sign-in, sessions and roles are the service's own (`service.auth`);
search is `service.search`. `install(app)` adds the pages and their static files.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pikepdf
import pypdfium2 as pdfium
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from dakscan.service import api_edit, auth, bulk_journal, dashboard, search, web_actions, web_store
from dakscan.service.api_errors import ApiError
from dakscan.service.api_schemas import Mark
from dakscan.service.api_search import CATCH_UP_SECONDS
from dakscan.service.config import Settings, get_settings
from dakscan.service.db import session_scope
from dakscan.service.i18n import COOKIE as LANG_COOKIE
from dakscan.service.i18n import LANGS, Translator, language_of
from dakscan.service.models import Dak, Failure
from dakscan.service.web_jobs import Retries, retryable
from dakscan.service.web_pages import PageRenderer, evidence_fractions, geometry, pick_width

log = logging.getLogger("dakscan.web")
HERE = Path(__file__).parent
STATIC = HERE / "static"
router = APIRouter(include_in_schema=False)
env = Environment(loader=FileSystemLoader(HERE / "templates"),
                  autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
renderer = PageRenderer()
YEAR = 365 * 24 * 3600
PAGE_SIZE = 50

# Which pages each role sees in the top bar, in order.
NAV = (
    ("inbox", "/inbox", "nav.inbox", ("operator", "diarist", "admin")),
    ("register", "/register", "nav.register", auth.ROLES),
    ("dashboard", "/dashboard", "nav.dashboard", ("admin", "commissioner")),
)
HOME = {"operator": "/inbox", "diarist": "/inbox", "admin": "/inbox",
        "section_officer": "/register", "commissioner": "/dashboard"}


class Redirect(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, url: str) -> None:
        self.url = url


class PageError(Exception):
    def __init__(self, status: int, heading: str, message: str) -> None:
        self.status, self.heading, self.message = status, heading, message


# --- plumbing ------------------------------------------------------------------------------

def settings_of(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def tz_of(request: Request) -> ZoneInfo:
    return ZoneInfo(settings_of(request).timezone)


def retries_of(request: Request) -> Retries:
    """The app's re-reader, on the app's own pipeline when the service made one."""
    retries = getattr(request.app.state, "web_retries", None)
    if retries is None:
        retries = Retries(settings_of(request), getattr(request.app.state, "pipeline", None))
        request.app.state.web_retries = retries
    return retries


def static_url(name: str) -> str:
    """A static file's URL with its content hash, so browsers never keep an old copy."""
    try:
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    except OSError:
        digest = "0"
    return f"/static/{name}?v={digest}"


def csrf_token(request: Request) -> str:
    session = request.cookies.get(auth.COOKIE, "")
    key = auth.secret_key(settings_of(request)).encode()
    return hmac.new(key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request)):
        raise PageError(400, "error.csrf_title", "error.csrf")


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site (no scheme, no host, no //): nothing sends a user away."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def page_user(request: Request) -> auth.Principal:
    user = auth.session_principal(request)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Redirect(f"/login?next={quote(path, safe='/')}")
    return user


def need(user: auth.Principal, permission: str) -> None:
    if not user.may(permission):
        raise PageError(403, "error.forbidden_title", "error.forbidden")


def need_page(user: auth.Principal, page: str) -> None:
    roles = next(r for p, _h, _k, r in NAV if p == page)
    if user.role not in roles:
        raise PageError(403, "error.forbidden_title", "error.forbidden")


def local_time(at: datetime | None, tz: ZoneInfo, fmt: str = "%H:%M") -> str:
    if at is None:
        return ""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz).strftime(fmt)


def render(request: Request, template: str, page: str, title_key: str,
           user: auth.Principal | None, status: int = 200, **ctx: object) -> HTMLResponse:
    lang = language_of(request)
    t = Translator(lang)
    path = request.url.path
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = path + (f"?{urlencode(query)}" if query else "")
    nav = [{"page": p, "href": h, "key": k} for p, h, k, roles in NAV
           if user is not None and user.role in roles]
    name = (user.full_name or user.username) if user else ""
    flash = ctx.pop("flash", None) or flash_from(request)
    html = env.get_template(template).render(
        t=t, lang=lang, other_lang=t.other, page=page, title_key=title_key,
        user={"name": name, "role": user.role, "desk": user.desk} if user else None,
        nav=nav, static=static_url, csrf=csrf_token(request) if user else "",
        lang_href=f"/lang/{t.other}?next={quote(here, safe='/')}", flash=flash, **ctx)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        remember_lang(response, lang)
    response.headers["Cache-Control"] = "no-store"
    return response


def remember_lang(response: Response, lang: str) -> None:
    response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax", path="/")


FLASH_RE = re.compile(r"^[a-z_.]+$")


def flash_from(request: Request) -> dict | None:
    """A one-line message named in the query (`?done=review.saved&n=...`) after a redirect."""
    key = request.query_params.get("done")
    if not key or not FLASH_RE.match(key) or not Translator("en").has(f"flash.{key}"):
        return None
    values = {k: request.query_params.get(k, "")[:200] for k in ("diary", "section")}
    kind = "error" if key.startswith("error") else "ok"
    return {"kind": kind, "key": f"flash.{key}", "args": values}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: PageError) -> HTMLResponse:
    user = auth.session_principal(request)
    back = HOME.get(user.role, "/") if user else "/login"
    return render(request, "error.html", "error", exc.heading, user, status=exc.status,
                  heading=exc.heading, message=exc.message, back=back)


def guarded(handler):  # noqa: ANN001, ANN201 - wraps a page handler
    """Turn Redirect/PageError raised anywhere in a handler into the right response.

    Handlers are plain functions (FastAPI runs them in its thread pool: the register, the
    PDF renderer and the templates all block) unless they must await the request body.
    """
    import functools
    import inspect

    def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, Redirect):
            return see_other(exc.url)
        assert isinstance(exc, PageError)
        return error_page(request, exc)

    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def async_wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            try:
                return await handler(*args, **kwargs)
            except (Redirect, PageError) as exc:
                return handle(kwargs["request"], exc)

        return async_wrapper

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return handler(*args, **kwargs)
        except (Redirect, PageError) as exc:
            return handle(kwargs["request"], exc)

    return wrapper


# --- sign-in -------------------------------------------------------------------------------

@router.get("/")
def root(request: Request) -> RedirectResponse:
    user = auth.session_principal(request)
    return see_other(HOME.get(user.role, "/register") if user else "/login")


@router.get("/login")
@guarded
def login_form(request: Request, next: str = "") -> Response:  # noqa: A002
    user = auth.session_principal(request)
    if user is not None:
        return see_other(local_path(next, HOME.get(user.role, "/register")))
    return render(request, "login.html", "login", "login.title", None, next=local_path(next, ""),
                  error=None, username="")


@router.post("/login")
@guarded
def login(request: Request, username: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "") -> Response:  # noqa: A002
    user = auth.authenticate(settings_of(request), username.strip(), password) \
        if username and password else None
    if user is None:
        return render(request, "login.html", "login", "login.title", None, status=401,
                      next=local_path(next, ""), error="login.wrong", username=username[:80])
    response = see_other(local_path(next, HOME.get(user.role, "/register")))
    auth.set_session_cookie(response, request, user)
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    response = see_other("/login")
    auth.clear_session_cookie(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> RedirectResponse:  # noqa: A002
    response = see_other(local_path(next))
    if code in LANGS:
        remember_lang(response, code)
    return response


# --- inbox ---------------------------------------------------------------------------------

def inbox_desk(user: auth.Principal, asked: str | None) -> str | None:
    """An operator works on their own desk; others pick one (or see all)."""
    if user.role == "operator":
        return user.desk
    return asked or user.desk or None


def inbox_context(request: Request, user: auth.Principal, desk: str | None) -> dict:
    tz = tz_of(request)
    today = dashboard.today_in(tz)
    lang = language_of(request)
    retries = retries_of(request)
    with session_scope(settings_of(request).db_url, readonly=True) as s:
        rows = web_store.inbox_rows(s, auth.dak_scope(user), desk, tz, today)
        fails = web_store.open_failures(s, desk, user.desk if user.role == "operator" else None)
        desks = dashboard.desks_seen(s)
    failures = [{"id": f.id, "source_name": f.source_name, "time": local_time(f.at, tz),
                 "reason": (f.message_hi if lang == "hi" else f.message_en) or f.code,
                 "retrying": retries.is_running(f.id), "kept": bool(f.kept_at),
                 "can_retry": retryable(f.kept_at)} for f in fails]
    items = [{"id": r.id, "diary_no": r.diary_no, "status": r.status, "sender": r.sender,
              "subject": r.subject, "time": local_time(r.received_at, tz)} for r in rows]
    counts = {"all": len(items), "failed": len(failures),
              "needs_review": sum(r["status"] in ("needs_review", "held") for r in items),
              "confirmed": sum(r["status"] in ("confirmed", "marked") for r in items)}
    signature = hashlib.sha256(repr((items, failures)).encode()).hexdigest()[:16]
    live = "/inbox/live" + (f"?desk={quote(desk)}" if desk else "")
    return {"rows": items, "failures": failures, "counts": counts,
            "desk": desk, "desks": desks, "signature": signature, "live_href": live,
            "today_label": today.strftime("%d.%m.%Y"),
            "refreshed": datetime.now(tz).strftime("%H:%M:%S"),
            "desk_options": sorted({*desks, *([desk] if desk else [])}),
            "can_confirm": user.may("confirm"),
            "desk_choice": user.role != "operator", "can_upload": user.may("upload"),
            "upload_desk": desk if user.role != "operator" else "",
            "deliveries": web_store.DELIVERY,
            "can_retry": user.may("upload")}


@router.get("/inbox")
@guarded
def inbox(request: Request, desk: str | None = None) -> Response:
    user = page_user(request)
    need_page(user, "inbox")
    ctx = inbox_context(request, user, inbox_desk(user, desk))
    return render(request, "inbox.html", "inbox", "inbox.title", user, **ctx)


@router.get("/inbox/live")
@guarded
def inbox_live(request: Request, desk: str | None = None) -> Response:
    """The changing part of the inbox, for the page's polling script."""
    user = page_user(request)
    need_page(user, "inbox")
    ctx = inbox_context(request, user, inbox_desk(user, desk))
    t = Translator(language_of(request))
    html = env.get_template("inbox_live.html").render(
        t=t, csrf=csrf_token(request), **ctx)
    return HTMLResponse(html, headers={"Cache-Control": "no-store",
                                       "X-Signature": ctx["signature"]})


@router.post("/failures/{failure_id}/retry")
@guarded
def retry(request: Request, failure_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    user = page_user(request)
    check_csrf(request, csrf)
    need(user, "upload")
    with session_scope(settings_of(request).db_url, readonly=True) as s:
        f = s.get(Failure, known_id(failure_id))
        if f is None or (user.role == "operator" and f.desk != user.desk):
            raise PageError(404, "error.not_found_title", "error.not_found")
        desk = f.desk
    queued = retries_of(request).submit(failure_id, user.username)
    back = "/inbox" + (f"?desk={quote(desk)}" if desk and user.role != "operator" else "")
    sep = "&" if "?" in back else "?"
    return see_other(f"{back}{sep}done={'retrying' if queued else 'error_retry'}")


@router.post("/failures/{failure_id}/dismiss")
@guarded
def dismiss(request: Request, failure_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    """The desk has dealt with a failed file (scanned it again): it leaves the inbox.
    The row stays in the register, resolved, so the monitoring still counts it."""
    user = page_user(request)
    check_csrf(request, csrf)
    need(user, "upload")
    with session_scope(settings_of(request).db_url) as s:
        f = s.get(Failure, known_id(failure_id))
        if f is None or (user.role == "operator" and f.desk != user.desk):
            raise PageError(404, "error.not_found_title", "error.not_found")
        f.resolved = True
        desk = f.desk
    back = "/inbox" + (f"?desk={quote(desk)}" if desk and user.role != "operator" else "")
    return see_other(back)


# --- review --------------------------------------------------------------------------------

FIELDS = (  # name, input kind, options, option catalogue prefix
    ("subject", "textarea", (), ""),
    ("letter_no", "text", (), ""),
    ("letter_date", "text", (), ""),
    ("sender_name", "text", (), ""),
    ("sender_designation", "text", (), ""),
    ("sender_office", "text", (), ""),
    ("addressee", "textarea", (), ""),
    ("letter_type", "select", web_store.LETTER_TYPES, "letter_type."),
    ("priority", "select", web_store.PRIORITIES, "priority."),
    ("security", "select", web_store.SECURITY, "security."),
    ("language", "select", web_store.LANGUAGES, "language."),
    ("delivery_mode", "select", web_store.DELIVERY, "delivery."),
)
REASONS = (
    (re.compile(r"^(\w+) not found$"), "reason.not_found"),
    (re.compile(r"^(\w+) uncertain$"), "reason.uncertain"),
    (re.compile(r"^page (\d+): no text read$"), "reason.no_text"),
    (re.compile(r"^security: (\w+)"), "reason.held"),
    (re.compile(r"^letter date \S+ is in the future"), "reason.date_odd"),
    (re.compile(r"^letter date \S+ read with low confidence"), "reason.date_unsure"),
)


def reason_text(t: Translator, raw: str) -> dict:
    """A review reason in the page's language; unknown ones keep their words beside."""
    for pattern, key in REASONS:
        m = pattern.match(raw)
        if not m:
            continue
        arg = m.group(1) if m.groups() else ""
        if key in ("reason.not_found", "reason.uncertain"):
            return {"text": t(key, field=t(f"field.{arg}")), "raw": ""}
        if key == "reason.held":
            return {"text": t(key, level=t(f"security.{arg}")), "raw": ""}
        return {"text": t(key, page=arg), "raw": ""}
    return {"text": t("reason.other"), "raw": raw}


def known_id(value: int) -> int:
    """A row id as a database can hold it; past that the page is simply not there."""
    if not 0 < value < 2**31:
        raise PageError(404, "error.not_found_title", "error.not_found")
    return value


def load_dak(s, user: auth.Principal, dak_id: int) -> Dak:  # noqa: ANN001
    known_id(dak_id)
    dak = s.scalars(select(Dak).where(Dak.id == dak_id, auth.dak_scope(user))).first()
    if dak is None:
        raise PageError(404, "error.not_found_title", "error.not_found")
    return dak


def field_rows(dak: Dak, geo: list, confirmed: bool) -> list[dict]:
    meta_fields = (dak.meta or {}).get("fields") or {}
    rows = []
    for name, kind, options, prefix in FIELDS:
        value = getattr(dak, name)
        if isinstance(value, date):
            value = value.strftime("%d.%m.%Y")
        info = meta_fields.get(name) if isinstance(meta_fields.get(name), dict) else {}
        conf = info.get("confidence")
        empty = value in (None, "")
        low = not empty and conf is not None and conf < web_store.REVIEW_BELOW \
            and not info.get("edited_by")
        note = ("review.note_choose" if kind == "select" else "review.note_empty") if empty \
            else ("review.note_low" if low else "")
        rows.append({"name": name, "kind": kind, "options": options, "option_prefix": prefix,
                     "value": value, "low": low, "empty": empty, "note": note,
                     "locked": confirmed and name in web_actions.LOCKED_AFTER_CONFIRM,
                     "evidence": evidence_fractions(info.get("evidence"), geo)})
    return rows


def render_review(request: Request, user: auth.Principal, dak_id: int, status: int = 200,
                  error: str | None = None, form: dict[str, str] | None = None) -> Response:
    """The review screen; after a refused change it shows the message and what was typed."""
    settings = settings_of(request)
    tz = tz_of(request)
    t = Translator(language_of(request))
    with session_scope(settings.db_url, readonly=True) as s:
        dak = load_dak(s, user, dak_id)
        next_id = web_store.next_for_review(s, auth.dak_scope(user), dak)
        sections = web_store.sections(s)
        confirmer = web_store.full_name(s, dak.confirmed_by)
    try:
        geo = geometry(settings.archive_dir / dak.pdf_path, settings.dpi)
    except (OSError, pikepdf.PdfError):  # the archive is unreachable: the fields still work
        log.exception("archived PDF of %s unreadable", dak.diary_no)
        geo = []
    confirmed = dak.confirmed_at is not None
    pages = [{"number": g.number, "src": f"/dak/{dak.id}/page/{g.number}.png?w=900",
              "width": 900, "height": round(900 * g.height_pt / g.width_pt)} for g in geo]
    reasons = [] if confirmed else [reason_text(t, r) for r in dak.review_reasons or []]
    back = "/inbox" if user.may("upload") else "/register"
    if dak.desk and user.role != "operator" and back == "/inbox":
        back += f"?desk={quote(dak.desk)}"
    fields = field_rows(dak, geo, confirmed)
    for f in fields:
        if form is not None and f["name"] in form:
            f["value"] = form[f["name"]]
    # Where the keyboard starts: the first box to check, or the section once confirmed.
    focus = ""
    if user.may("edit") and not confirmed:
        focus = next((f["name"] for f in fields if (f["low"] or f["empty"])
                      and f["kind"] != "select"), "subject")
    elif user.may("mark") and confirmed and not dak.section:
        focus = "mark-section"
    flash = {"kind": "error", "key": "flash.error_text", "args": {"text": error}} \
        if error else None
    return render(request, "review.html", "review", "review.title", user, status=status,
                  dak=dak, shown_status=web_store.shown_status(dak), pages=pages,
                  fields=fields, reasons=reasons, confirmed=confirmed,
                  can_edit=user.may("edit"), can_mark=user.may("mark") and confirmed,
                  sections=sections, next_id=next_id, back_href=back, flash=flash,
                  confirmer=confirmer, focus=focus,
                  received_label=local_time(dak.received_at, tz, "%d.%m.%Y %H:%M"),
                  confirmed_label=local_time(dak.confirmed_at, tz, "%d.%m.%Y %H:%M"))


@router.get("/dak/{dak_id}")
@guarded
def review(request: Request, dak_id: int) -> Response:
    return render_review(request, page_user(request), dak_id)


def refusal(request: Request, exc: ApiError) -> str:
    """The service's own words for a refused change, in the page's language."""
    if language_of(request) == "hi" and exc.detail_hi:
        return exc.detail_hi
    return exc.detail


@router.post("/dak/{dak_id}/save")
@guarded
async def save(request: Request, dak_id: int) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(save_fields, request, dak_id, fields)


def save_fields(request: Request, dak_id: int, form: dict[str, str]) -> Response:
    """Correct the changed fields, then confirm when the clerk pressed confirm (or Enter)."""
    try:
        user = page_user(request)
        check_csrf(request, form.get("csrf"))
        need(user, "edit")
        action = form.get("action") or "save"
        if action == "confirm":
            need(user, "confirm")
    except (Redirect, PageError) as exc:
        return see_other(exc.url) if isinstance(exc, Redirect) else error_page(request, exc)
    settings = settings_of(request)
    typed = {k: v for k, v in form.items() if k in web_actions.EDITABLE}
    t = Translator(language_of(request))
    with session_scope(settings.db_url, readonly=True) as s:
        dak = load_dak(s, user, dak_id)
    changes: dict[str, object] = {}
    try:
        changes = web_actions.changed_fields(dak, typed)
        if changes:
            dak = api_edit.edit_dak(settings, dak_id, user, changes)
        if action == "confirm":
            dak = api_edit.confirm_dak(settings, dak_id, user)
    except web_actions.FormError as e:
        key = "flash.error_date" if e.kind == "date" else "flash.error_field"
        return render_review(request, user, dak_id, 422, t(key, field=t(f"field.{e.field}")),
                             typed)
    except ApiError as e:
        message = refusal(request, e)
        locked = [n for n in changes if n in web_actions.LOCKED_AFTER_CONFIRM]
        if e.code == "locked" and locked:  # name the fields as the form does
            message = t("flash.error_locked", fields=", ".join(t(f"field.{n}") for n in locked))
        return render_review(request, user, dak_id, e.status, message, typed)
    done = "confirmed" if action == "confirm" else "saved"
    return see_other(f"/dak/{dak_id}?done={done}&diary={quote(dak.diary_no)}")


@router.post("/dak/{dak_id}/mark")
@guarded
def mark(request: Request, dak_id: int, section: Annotated[str, Form()] = "",
               csrf: Annotated[str, Form()] = "") -> Response:
    user = page_user(request)
    check_csrf(request, csrf)
    need(user, "mark")
    settings = settings_of(request)
    t = Translator(language_of(request))
    section = " ".join(section.split())
    try:
        body = Mark(section=section)
    except ValidationError:
        return render_review(request, user, dak_id, 422, t("flash.error_bad_section"))
    try:
        dak = api_edit.mark_dak(settings, dak_id, user, body.section)
    except ApiError as e:
        return render_review(request, user, dak_id, e.status, refusal(request, e))
    return see_other(f"/dak/{dak_id}?done=marked&diary={quote(dak.diary_no)}"
                     f"&section={quote(body.section)}")


@router.get("/dak/{dak_id}/page/{number}.png")
@guarded
def page_png(request: Request, dak_id: int, number: int, w: int = 900) -> Response:
    user = page_user(request)
    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        dak = load_dak(s, user, dak_id)
    try:
        data = renderer.png(settings.archive_dir / dak.pdf_path, known_id(number),
                            pick_width(w))
    except (IndexError, OSError, pdfium.PdfiumError) as exc:
        raise PageError(404, "error.not_found_title", "error.not_found") from exc
    return Response(data, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})


@router.get("/dak/{dak_id}/pdf")
@guarded
def signed_pdf(request: Request, dak_id: int) -> Response:
    user = page_user(request)
    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        dak = load_dak(s, user, dak_id)
    name = dak.diary_no.replace("/", "-") + ".pdf"
    path = settings.archive_dir / dak.pdf_path
    if not path.is_file():  # scrub names the missing file
        raise PageError(404, "error.not_found_title", "error.not_found")
    return FileResponse(path, media_type="application/pdf",
                        filename=name, content_disposition_type="inline")


# --- register / search ---------------------------------------------------------------------

def filters_from(request: Request, user: auth.Principal) -> web_store.Filters:
    qp = request.query_params
    f = web_store.Filters(**{k: (qp.get(k) or "").strip()[:200] for k in (
        "q", "date_from", "date_to", "desk", "letter_type", "priority", "language", "sender",
        "section")}, needs_review=qp.get("needs_review") == "1")
    return f


def visible_ids(s, ids: list[int], conds: list) -> set[int]:  # noqa: ANN001
    """Those of `ids` the user may see and the filters keep (in chunks: IN lists stay short)."""
    out: set[int] = set()
    for i in range(0, len(ids), 500):
        out |= set(s.scalars(select(Dak.id).where(Dak.id.in_(ids[i:i + 500]), *conds)))
    return out


def result_row(dak: Dak, query: search.Query | None, tz: ZoneInfo) -> dict:
    """One search hit; the hit words are marked where they were found (subject, sender or
    an excerpt of the letter). `search.snippet` returns escaped HTML with <mark> only."""
    row = {"id": dak.id, "diary_no": dak.diary_no, "status": web_store.shown_status(dak),
           "date": local_time(dak.received_at, tz, "%d.%m.%Y"),
           "subject": dak.subject or "", "sender": web_store.sender_line(dak), "snippet": ""}
    if query is None:
        return row
    where, snip = search.best_snippet(dak, query)
    if not snip:
        return row
    if where == "subject" and "…" not in snip:
        row["subject"] = Markup(snip)
    else:
        row["snippet"] = Markup(snip)
    return row


@router.get("/register")
@guarded
def register_page(request: Request, page: int = 1) -> Response:
    user = page_user(request)
    need_page(user, "register")
    settings = settings_of(request)
    tz = tz_of(request)
    f = filters_from(request, user)
    page = max(1, min(page, 1000))
    limit = PAGE_SIZE * page
    conds = [auth.dak_scope(user), *web_store.filter_conditions(f, tz)]
    query = search.Query.parse(f.q) if f.q else None
    if query is not None and query.terms:
        search.catch_up(settings.db_url, budget_s=CATCH_UP_SECONDS)
    with session_scope(settings.db_url, readonly=True) as s:
        if query is not None and query.terms:
            ranked = search.rank(s, query)
            allowed = visible_ids(s, [i for i, _score in ranked], conds)
            ranked = [(i, score) for i, score in ranked if i in allowed]
            total = len(ranked)
            ids = [i for i, _score in ranked[:limit]]
            by_id = {d.id: d for d in s.scalars(select(Dak).where(Dak.id.in_(ids)))}
            daks = [by_id[i] for i in ids if i in by_id]
        elif query is not None:  # only punctuation or stop words: nothing to look for
            daks, total = [], 0
        else:
            total = s.scalar(select(func.count()).select_from(Dak).where(*conds)) or 0
            daks = list(s.scalars(select(Dak).where(*conds)
                                  .order_by(Dak.received_at.desc(), Dak.id.desc()).limit(limit)))
        results = [result_row(d, query, tz) for d in daks]
        desks = dashboard.desks_seen(s)
    more = None
    if total > limit:
        qp = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        more = "/register?" + urlencode([*qp, ("page", str(page + 1))])
    return render(request, "register.html", "register", "register.title", user, f=f,
                  results=results, total=total, desks=desks, more_href=more,
                  letter_types=web_store.LETTER_TYPES, priorities=web_store.PRIORITIES,
                  languages=web_store.LANGUAGES)


# --- monitoring ----------------------------------------------------------------------------

def fmt_seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


@router.get("/dashboard")
@guarded
def dashboard_page(request: Request, desk: str | None = None) -> Response:
    user = page_user(request)
    need_page(user, "dashboard")
    tz = tz_of(request)
    t = Translator(language_of(request))
    today = dashboard.today_in(tz)
    with session_scope(settings_of(request).db_url, readonly=True) as s:
        rows = dashboard.desk_days(s, tz, 30, today, desk or None)
        desks = dashboard.desks_seen(s)
    return render(request, "dashboard.html", "dashboard", "dash.title", user, rows=rows,
                  today=dashboard.total(rows, today), chart=dashboard.chart_svg(rows, t, 30, today),
                  days=30, desks=desks, desk=desk or "", fmt_sec=fmt_seconds,
                  read_only=user.role == "commissioner",
                  today_label=today.strftime("%d.%m.%Y"),
                  bulk_runs=bulk_journal.runs(settings_of(request).db_url, limit=10)
                  if user.may("bulk") else [])


@router.get("/dashboard/chart.svg")
@guarded
def dashboard_chart(request: Request, desk: str | None = None) -> Response:
    user = page_user(request)
    need_page(user, "dashboard")
    tz = tz_of(request)
    today = dashboard.today_in(tz)
    with session_scope(settings_of(request).db_url, readonly=True) as s:
        rows = dashboard.desk_days(s, tz, 30, today, desk or None)
    svg = dashboard.chart_svg(rows, Translator(language_of(request)), 30, today)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# --- wiring --------------------------------------------------------------------------------

def install(app: FastAPI) -> None:
    """Add the desk pages and their `/static` files to the service app."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
