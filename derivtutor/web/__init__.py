"""The students' web page: practice with live preview, checks, hints and steps.

``derivtutor serve`` runs ``web.app.create_app`` under uvicorn, whose protocol answers the
API's job routes itself (``web.fast``: no ASGI round on the hot path). Every request that
touches student text is answered by a ``web.pool.CommandPool`` worker (``web.worker``) running the
same command as the CLI (so the JSON is the CLI's), under the grader's time and
memory limits; the page renders maths with the KaTeX shipped in ``web/static``.
"""
