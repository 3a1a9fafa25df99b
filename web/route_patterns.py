"""The site's routes as patterns a script can test a path with, made from Flask's url_map.

The service worker must tell an article page from its audio, its segment list, a stored image or a static file
by the path alone, offline too; offline.js must tell a list page from an article. They get these patterns
from the server (the worker in the line /sw.js starts with, offline.js from a data-* attribute), so a changed
route changes them too and no script rebuilds a route by hand.
"""
import re

from flask import current_app, request

# Characters that mean something in a JavaScript (and Python) regular expression outside a class.
_SPECIAL = re.compile(r"[\\^$.*+?()[\]{}|]")
# What werkzeug's converters match, in JavaScript's syntax (they are written in the subset both languages share).
_JS_UNSAFE = re.compile(r"\(\?P?[<=!]")


def _escape(text: str) -> str:
    return _SPECIAL.sub(lambda match: "\\" + match.group(0), text)


def _rule_pattern(rule) -> str:
    # werkzeug has no public way to read a rule's parts. Rule._trace (what it is made of: text, or the name of
    # a variable) and Rule._converters (each variable's converter, whose `regex` is public) have kept their
    # shape since werkzeug 0.x; tests/test_offline.py fails if that changes.
    parts = []
    for is_variable, data in rule._trace[rule._trace.index((False, "|")) + 1:]:
        if not is_variable:
            parts.append(_escape(data))
            continue
        regex = rule._converters[data].regex
        if _JS_UNSAFE.search(regex):
            raise ValueError(f"{rule.rule}: converter pattern {regex!r} has no JavaScript equivalent")
        parts.append(f"(?:{regex})")
    return "".join(parts)


def path_pattern(*endpoints: str) -> str:
    """A regular expression (the same in JavaScript and Python) that matches the path of any GET route of
    these endpoints, under this request's script root, and nothing else."""
    rules = [rule for endpoint in endpoints for rule in current_app.url_map.iter_rules(endpoint)
             if "GET" in (rule.methods or ())]
    if not rules:
        raise LookupError(f"no GET route for {endpoints}")
    alternatives = "|".join(_rule_pattern(rule) for rule in rules)
    return f"^{_escape(request.script_root)}(?:{alternatives})$"
