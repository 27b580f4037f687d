#!/usr/bin/env python3
"""One scraper on one kept-alive connection, no forks: GET a control API path every INTERVAL
seconds (0 = back to back) until the server goes away or SECONDS pass; prints how many scrapes
it made and their mean size, so a benchmark can divide a process's CPU time by them.

    scrape_client.py PORT PATH INTERVAL_S SECONDS
"""
import http.client
import sys
import time


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    interval, seconds = float(sys.argv[3]), float(sys.argv[4])
    deadline = time.monotonic() + seconds
    conn, scrapes, size, seen = None, 0, 0, False
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            body = conn.getresponse().read()
            scrapes, size, seen = scrapes + 1, size + len(body), True
        except OSError:
            conn = None
            if seen:  # the run has ended and taken its API with it
                break
            time.sleep(0.02)
            continue
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    print(scrapes, size // max(scrapes, 1))


if __name__ == "__main__":
    main()
