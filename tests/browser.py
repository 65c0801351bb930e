"""A preview server on a copy of the library and a headless Chromium from the system's packages."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def preview_server(root: Path, *options: str, env: dict | None = None):
    """`docgen preview --port 0` run in root; yields its address, stops it afterwards."""
    process = subprocess.Popen([sys.executable, "-m", "docgen", "preview", "--port", "0", *options], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    try:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, f"no address announced: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
        yield found.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium(width: int = 1280, height: int = 1000):
    """Headless Chromium driven by the system's chromedriver: nothing is downloaded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER,
                                                               env={**os.environ, "HOME": os.environ.get("HOME", "/tmp")}))
    try:
        yield driver
    finally:
        driver.quit()
