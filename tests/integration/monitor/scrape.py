#!/usr/bin/python3
"""Fetches a vigil monitoring URL for the integration tests.

  scrape.py metrics URL  parses the body with prometheus_client's text parser
                         (python3-prometheus-client) and prints
                         {"status", "content_type", "samples": [{"name", "labels", "value"}],
                          "target_label_clashes": [...]}: the names of metrics with a label
                         Prometheus sets on every scraped series itself (instance, job),
                         which it would rename to exported_*; exits 2 when the text does
                         not parse.
  scrape.py get URL      prints {"status", "content_type", "body"}.
  scrape.py post URL     the same for a POST.
Exits 1 when the server cannot be reached.
"""
import json
import sys
import urllib.error
import urllib.request

# The labels Prometheus attaches to every series of a target.
TARGET_LABELS = {"instance", "job"}


def fetch(url, method):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def main():
    mode, url = sys.argv[1], sys.argv[2]
    try:
        status, content_type, body = fetch(url, "POST" if mode == "post" else "GET")
    except (urllib.error.URLError, OSError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    out = {"status": status, "content_type": content_type}
    if mode == "metrics":
        from prometheus_client.parser import text_string_to_metric_families
        try:
            out["samples"] = [
                {"name": s.name, "labels": s.labels, "value": s.value}
                for family in text_string_to_metric_families(body.decode("utf-8"))
                for s in family.samples
            ]
        except Exception as error:  # the parser raises ValueError and others
            print(json.dumps({"error": "parse: %s" % error}))
            return 2
        out["target_label_clashes"] = sorted(
            {s["name"] for s in out["samples"] if TARGET_LABELS & set(s["labels"])})
    else:
        out["body"] = body.decode("utf-8", "replace")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
