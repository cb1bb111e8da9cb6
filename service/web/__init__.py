"""Server-rendered web pages ("giao diện web") for submitters, reviewers, admins and the public.

The pages are a second entrypoint beside the JSON API: they call the same service functions
(``service.verbs.perform``, ``service.queries``, …) and never hold workflow logic of their own.
``install(app)`` adds them to the FastAPI app: ``/web/...`` pages, ``/static/...`` files.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    from service.web import admin, auth_pages, clusters, council_pages, diagrams, drafts, nominations, public
    from service.web import campaign_pages, certificates, exports, imports, revocation_pages, statistics_pages
    from service.web.i18n import lang_of
    from service.web.session import CsrfRefused, LoginRequired

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth_pages, drafts, nominations, clusters, council_pages, admin, public, diagrams,
                   certificates, exports, imports, statistics_pages, campaign_pages, revocation_pages):
        app.include_router(module.router)  # drafts first: /nominations/new before /nominations/{id}

    @app.exception_handler(LoginRequired)
    async def _to_login(_request, exc: LoginRequired) -> RedirectResponse:  # type: ignore[no-untyped-def]
        return RedirectResponse(exc.login_url, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request, _exc: CsrfRefused):  # type: ignore[no-untyped-def]
        from service.web.render import render

        message = ("Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang rồi gửi lại.",
                   "The form expired or is not valid; reload the page and send it again.")
        return render(request, "error.html", 403, error=message[0] if lang_of(request) == "vi" else message[1])
