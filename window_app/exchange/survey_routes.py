"""The 联合踏勘 endpoints of the exchange's server (:mod:`window_app.exchange.surveys` has the rules).

- ``POST /v1/surveys`` (window token): the window's signed appointments.
- ``GET /v1/surveys?since=N`` (window token): the departments' answers to them.
- ``GET /v1/surveys/inbox`` (department token): the appointments the department is asked to.
- ``POST /v1/surveys/answers`` (department token): accept, or propose another slot.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from window_app.domain.wire import MAX_CURSOR, json_problem
from window_app.domain.words import Words
from window_app.exchange import server, surveys

MAX_SURVEYS_BYTES = 2 * 1024 * 1024
MAX_ANSWER_BYTES = 16 * 1024
_BODY = Words("请求体", "the body")


def routes() -> list[Route]:
    """The survey routes, registered by :func:`window_app.exchange.server.create_app`."""
    return [
        Route("/v1/surveys", surveys_route, methods=["GET", "POST"]),
        Route("/v1/surveys/inbox", survey_inbox, methods=["GET"]),
        Route("/v1/surveys/answers", survey_answer, methods=["POST"]),
    ]


async def surveys_route(request: Request) -> JSONResponse:
    """``POST`` a window's appointments; ``GET`` the answers to them after ``since``."""
    subject = await server._subject(request, "window")
    store = request.app.state.store
    if request.method != "POST":
        since = server._int_param(request, "since", 0, 0, MAX_CURSOR)
        limit = server._int_param(request, "limit", server.DEFAULT_LIMIT, 1, server.MAX_LIMIT)
        return JSONResponse(await run_in_threadpool(surveys.window_answers, store, subject.id, since, limit))
    body = await server._json_body(request, MAX_SURVEYS_BYTES)
    problem = json_problem(body, _BODY)
    if problem:
        raise server._bad_request(problem)
    return JSONResponse(await run_in_threadpool(surveys.store_appointments, store, subject.id, body))


async def survey_inbox(request: Request) -> JSONResponse:
    """The calling department's appointments."""
    subject = await server._subject(request, "department")
    limit = server._int_param(request, "limit", server.DEFAULT_LIMIT, 1, server.MAX_LIMIT)
    found = await run_in_threadpool(lambda: surveys.department_inbox(request.app.state.store, subject.id, limit=limit))
    return JSONResponse({"surveys": found})


async def survey_answer(request: Request) -> JSONResponse:
    """The calling department answers the current revision: 201 stored, 200 the same again."""
    subject = await server._subject(request, "department")
    body = await server._json_body(request, MAX_ANSWER_BYTES)
    problem = json_problem(body, _BODY)
    if problem:
        raise server._bad_request(problem)
    stored, created = await run_in_threadpool(surveys.answer, request.app.state.store, subject.id, body)
    return JSONResponse({"answer": stored}, status_code=201 if created else 200)
