"""The web page: the API through Starlette's test client, and the page in a real headless Chromium."""
from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from derivtutor.cli import main  # noqa: E402
from derivtutor.web.api import MAX_BODY  # noqa: E402
from derivtutor.web.app import create_app  # noqa: E402
from derivtutor.web.pool import NO_ANSWER, CommandPool  # noqa: E402


@pytest.fixture(scope="module")
def pool():
    pool = CommandPool(size=2, timeout=2.0)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def client(pool):
    with TestClient(create_app(pool=pool)) as client:
        yield client


def cli_json(capsys, argv):
    main(argv)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("body,argv", [
    ({"function": "tg x^2", "answer": "2x/cos^2 x^2"}, ["check", "--function=tg x^2", "--answer=2x/cos^2 x^2"]),
    ({"function": "x^3", "answer": "3x"}, ["check", "--function=x^3", "--answer=3x"]),
    ({"exercise": "chain-tg-x2", "answer": "2x/cos(x^2)", "lang": "ru"},
     ["check", "chain-tg-x2", "--answer=2x/cos(x^2)", "--lang", "ru"]),
    ({"function": "1/x", "answer": "-x^-2"}, ["check", "--function=1/x", "--answer=-x^-2"]),
    ({"exercise": "chain-sin-3x", "answer": "6cos 6x", "student": "petrov"},
     ["check", "chain-sin-3x", "--answer=6cos 6x", "--student=petrov"]),
    ({"exercise": "chain-tg-x2", "answer": "cso x"}, ["check", "chain-tg-x2", "--answer=cso x"]),
    ({"function": "x^2 y", "answer": "2xy"}, ["check", "--function=x^2 y", "--answer=2xy"]),
], ids=["correct", "incorrect", "exercise-ru", "leading-minus", "student-variant", "typo", "two-variables"])
def test_check_answers_what_the_cli_prints(client, capsys, body, argv):
    response = client.post("/api/check", json=body)
    expected = cli_json(capsys, [*argv, "--json"])
    assert response.status_code == (422 if "error" in expected else 200)
    assert response.json() == expected


def test_an_overflowing_value_is_strict_json(client, capsys):
    # the CLI prints the answer's value 2.9e573 as Infinity, which a browser's JSON.parse refuses
    body = {"function": "sin x", "var": "x", "answer": "(x+1)^999*(x+2)^999"}
    response = client.post("/api/check", json=body)

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    data = json.loads(response.text, parse_constant=refuse)
    expected = cli_json(capsys, ["check", "--json", "--function=sin x", "--var=x", f"--answer={body['answer']}"])
    assert expected["counterexample"]["answer"] == float("inf") and data["counterexample"]["answer"] == "Infinity"
    data["counterexample"]["answer"] = expected["counterexample"]["answer"]
    assert response.status_code == 200 and data == expected


@pytest.mark.parametrize("body,argv", [
    ({"exercise": "no-such-exercise", "answer": "1"}, ["check", "no-such-exercise", "--answer=1"]),
    ({"function": "sin(x", "answer": "1"}, ["check", "--function=sin(x", "--answer=1"]),
], ids=["unknown-exercise", "bad-function"])
def test_check_errors_are_the_cli_errors(client, capsys, body, argv):
    response = client.post("/api/check", json=body)
    assert response.status_code == 422 and response.json() == cli_json(capsys, [*argv, "--json"])


@pytest.mark.parametrize("text", ["arctg^2(x^3)", "sin(x", "\\frac{1}{x}", "<script>"], ids=["ok", "open", "latex", "html"])
def test_parse_answers_what_the_cli_prints(client, capsys, text):
    response = client.post("/api/parse", json={"text": text, "lang": "ru"})
    expected = cli_json(capsys, ["parse", "--json", "--lang", "ru", "--", text])
    assert response.status_code == (422 if "error" in expected else 200) and response.json() == expected


def test_diff_answers_what_the_cli_prints(client, capsys):
    got = client.post("/api/diff", json={"function": "x^2 sin x", "lang": "ru"}).json()
    assert got == cli_json(capsys, ["diff", "--json", "--lang", "ru", "--", "x^2 sin x"])
    import sympy

    x = sympy.Symbol("x")  # the CLI's own output, not student text: sympify is safe here
    assert sympy.simplify(sympy.sympify(got["derivative"]) - sympy.diff(x**2 * sympy.sin(x), x)) == 0


def test_parse_reads_and_reports_errors_with_position(client):
    ok = client.post("/api/parse", json={"text": "arctg^2(x^3)", "syntax": "auto"})
    assert ok.status_code == 200 and ok.json()["expression"] == "atan(x**3)**2" and "latex" in ok.json()
    bad = client.post("/api/parse", json={"text": "sin(x", "syntax": "plain"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]) == {"message", "position", "code"} and bad.json()["error"]["position"] == 5


def test_exercises_list_the_bank_with_hints(client):
    bank = client.get("/api/exercises?lang=ru").json()
    tg = next(e for e in bank if e.get("id") == "chain-tg-x2")
    assert tg["function"] and tg["hints"] and any("\u0400" <= ch <= "\u04ff" for ch in tg["title"])


@pytest.mark.parametrize("body,status", [
    (b"x" * (MAX_BODY + 1), 413), (b"not json", 400), (b"[1, 2]", 400),
    (json.dumps({"function": "x", "answer": 5}).encode(), 400),
    (json.dumps({"function": "x", "answer": "1", "lang": "fr"}).encode(), 400),
    (json.dumps({"exercise": "../etc/passwd", "answer": "1"}).encode(), 400),
])
def test_bad_requests_are_refused_before_a_worker_sees_them(client, body, status):
    response = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status and "error" in response.json()


def test_a_hostile_answer_costs_its_own_request_only():
    # a worker that dies, or overruns the hard deadline, is replaced; the next request is answered
    pool = CommandPool(size=1, timeout=0.5)
    job = ("parse", {"text": "x^2"})
    try:
        pool.workers[0].process.kill()             # a crash (a memory bomb killed by its limit, say)
        assert pool.run(job) == NO_ANSWER
        pool.hard_limit = 0.0                      # no command answers in no time: the deadline passes
        assert pool.run(job) == NO_ANSWER
        pool.hard_limit = 60.0
        code, failed, text = pool.run(job)
        assert (code, failed, json.loads(text)["expression"]) == (0, False, "x**2")
        assert all(w.process.is_alive() for w in pool.workers)
    finally:
        pool.close()


def test_the_event_loop_path_replaces_a_stalled_or_cancelled_worker():
    import asyncio

    pool = CommandPool(size=1, timeout=0.5)
    job = ("check", {"function": "x^3", "answer": "3x^2"})

    async def scenario():
        first = pool.workers[0].process.pid
        pool.hard_limit = 0.0                       # the deadline passes before any answer
        assert await pool.ask(job) == NO_ANSWER
        pool.hard_limit = 60.0
        slow = asyncio.ensure_future(pool.ask(("check", {"function": "sin x", "answer": "(x+1)^999*(x+2)^999"})))
        await asyncio.sleep(0)                      # the job is sent; then its request goes away
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        code, failed, text = await pool.ask(job)    # answered by a fresh worker: not the stale reply
        assert (code, failed, json.loads(text)["verdict"]) == (0, False, "correct")
        assert pool.workers[0].process.pid != first and pool.workers[0].process.is_alive()

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


@pytest.mark.parametrize("fields", [{"func": "x"}, {"answer": "1", "json": False}], ids=["func", "json"])
def test_a_job_sets_only_the_commands_own_fields(fields):
    from derivtutor.web.jobs import answer

    with pytest.raises(ValueError):
        answer(("check", fields), {})


def test_page_is_escaped_and_carries_its_strings(client):
    html = client.get("/?lang=ru").text
    assert 'lang="ru"' in html and "Тренировка" in html and "cdn" not in html.lower()
    assert client.get("/static/katex/katex.min.js").status_code == 200
    assert client.get("/static/katex/fonts/KaTeX_Main-Regular.woff2").status_code == 200


# --- a real browser ---------------------------------------------------------------

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(pool):
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from derivtutor.web.__main__ import http_protocol

    app = create_app(pool=pool)   # served as `derivtutor serve` serves it: the job routes in the protocol
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False, **http_protocol(app))
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromedriver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait_for(driver, predicate, seconds=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(lambda d: predicate(d))


def test_practice_page_in_a_real_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server + "?lang=en")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#exercise option")) > 5)
    Select(browser.find_element(By.ID, "exercise")).select_by_value("chain-tg-x2")
    answer = browser.find_element(By.ID, "answer")
    answer.send_keys("2x/cos^2 x^2")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-math .katex"))
    browser.find_element(By.ID, "check").click()
    wait_for(browser, lambda d: "correct" in d.find_element(By.ID, "result").get_attribute("class").split())
    assert "Correct" in browser.find_element(By.ID, "result").text
    browser.find_element(By.ID, "steps").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#steps-list li .katex"))
    browser.find_element(By.ID, "hint").click()
    assert browser.find_element(By.CSS_SELECTOR, "#hints li").text
    shot = tmp_path / "practice.png"
    browser.save_screenshot(str(shot))

    answer.clear()
    answer.send_keys("cso x")
    browser.find_element(By.ID, "check").click()
    wait_for(browser, lambda d: "invalid" in d.find_element(By.ID, "result").get_attribute("class").split())
    assert "did you mean" in browser.find_element(By.ID, "result").text.lower()

    answer.clear()
    answer.send_keys("<img src=x onerror=\"document.title='pwned'\">")
    browser.find_element(By.ID, "check").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "result").text and d.find_element(By.ID, "result").text != "Checking…")
    time.sleep(0.3)
    assert browser.title != "pwned"
    assert not browser.find_elements(By.CSS_SELECTOR, "#result img, #preview img, #preview-error img")

    assert_not_blank(shot)
    target = os.environ.get("DERIVTUTOR_SCREENSHOT")
    if target:
        shutil.copy(shot, target)


def assert_not_blank(path: Path) -> None:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert pixels.shape[0] > 100 and pixels.std() > 5, "the screenshot is blank"
    assert (pixels < 128).mean() > 0.005, "no text on the screenshot"


def test_derivtutor_serve_starts_a_server_and_stops(tmp_path):
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "derivtutor", "serve", "--port", str(port), "--workers", "1",
                             "--json", "--lang", "ru"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["url"] == f"http://127.0.0.1:{port}/" and first["lang"] == "ru"
        for _ in range(300):
            try:
                with urllib.request.urlopen(first["url"], timeout=5) as response:
                    assert "Тренировка" in response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_fast_protocol_only_on_the_uvicorn_releases_it_was_checked_against(monkeypatch):
    pytest.importorskip("uvicorn")
    pytest.importorskip("httptools")
    from derivtutor.web import fast
    from derivtutor.web.__main__ import http_protocol

    for major, minor in fast.CHECKED:
        assert fast.supported(f"{major}.{minor}.0") and fast.supported(f"{major}.{minor}.12")
        assert not fast.supported(f"{major}.{minor + 1}.0") and not fast.supported(f"{major + 1}.{minor}.0")
    assert not fast.supported("dev") and not fast.supported("")
    monkeypatch.setattr(fast, "CHECKED", frozenset())
    assert http_protocol(object()) == {}     # uvicorn's own protocol: every request through Starlette
