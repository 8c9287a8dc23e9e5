# SPDX-License-Identifier: Apache-2.0
"""The playbook API of mailsoar: the pure-Python half.

A playbook is a Python file with ``async def on_start(container)`` (and
optionally ``on_finish(container, summary)``).  The C engine drives each
playbook run as a coroutine without asyncio: every ``await`` on an action,
a prompt or another playbook yields a request to the engine, which runs
actions on worker threads (without the GIL) and resumes the coroutine with
the result.  The C half is the built-in module ``_mailsoar``.

    import mailsoar as ms

    async def on_start(c):
        for ip in c.values("ip"):
            r = await ms.act("geolocate ip", ip=ip)
            if r.ok and r.summary.get("country_of_concern"):
                c.score.add(20, "IP in a country of concern: " + ip)
"""
import json as _json

import _mailsoar

__all__ = ["act", "gather", "prompt", "playbook", "lists", "log",
           "app", "action", "ActionResult", "Container", "Artifact",
           "PlaybookError", "Transient"]


class PlaybookError(Exception):
    """A playbook used the API wrongly (unknown action, parameter or
    asset); the message lists what is valid."""


class RunTimeout(BaseException):
    """Thrown into a playbook run that outlives its time budget; a
    BaseException so that ``except Exception`` does not swallow it."""


class _Request:
    """What a coroutine yields to the engine; the engine sends back the
    answer (or throws an exception into the coroutine)."""

    __slots__ = ("kind", "args")

    def __init__(self, kind, *args):
        self.kind = kind
        self.args = args

    def __await__(self):
        return (yield self)

    def __repr__(self):
        return "<mailsoar request %s %r>" % (self.kind, self.args)


class _Obj:
    """Attribute access over a dict from the analysis JSON; missing
    attributes are None, nested dicts are _Obj too."""

    def __init__(self, d):
        self.__dict__["_d"] = d or {}

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        key = name[:-1] if name.endswith("_") else name  # from_
        v = self._d.get(key)
        if isinstance(v, dict):
            return _Obj(v)
        return v

    def __getitem__(self, key):
        return self._d[key]

    def get(self, key, default=None):
        return self._d.get(key, default)

    def __setattr__(self, name, value):
        raise AttributeError("read-only")

    def __repr__(self):
        return "_Obj(%r)" % (self._d,)

    def to_dict(self):
        return self._d


class ActionResult:
    """One action run as a playbook sees it.  ``status`` is "success",
    "failed" or "skipped"; ``ok`` is True only for success.  ``data``,
    ``summary`` and ``parameter`` are parsed from the engine's JSON when
    first read."""

    __slots__ = ("action", "status", "message", "app", "asset", "cached",
                 "duration_ms", "id", "_raw", "_d")

    def __init__(self, d, raw=None):
        self.action = d.get("action")
        self.status = d.get("status", "failed")
        self.message = d.get("message") or ""
        self.app = d.get("app")
        self.asset = d.get("asset")
        self.cached = bool(d.get("cached"))
        self.duration_ms = d.get("duration_ms", 0)
        self.id = d.get("id")
        self._raw = raw
        self._d = None if raw is not None else d

    def _full(self):
        if self._d is None:
            self._d = _json.loads(self._raw) if self._raw else {}
        return self._d

    @property
    def data(self):
        return self._full().get("data") or []

    @property
    def summary(self):
        return self._full().get("summary") or {}

    @property
    def parameter(self):
        return self._full().get("parameter") or {}

    @property
    def ok(self):
        return self.status == "success"

    def to_dict(self):
        d = {k: getattr(self, k) for k in
             ("action", "status", "message", "app", "asset", "cached",
              "duration_ms", "id", "data", "summary", "parameter")}
        return d

    def __repr__(self):
        return "<ActionResult %s %s: %s>" % (self.action, self.status,
                                            self.message)


def _params(params):
    out = {}
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif not isinstance(v, str):
            v = str(v)
        out[str(k)] = v
    return out


def act(action, asset=None, **params):
    """Run ``action`` (Phantom's name: "geolocate ip") on ``asset`` (by
    default the first configured asset whose app has the action) with
    ``params``.  Await it: the result is an ActionResult.  An action that
    no configured asset provides yet gives status "skipped"."""
    if not isinstance(action, str) or not action:
        raise PlaybookError("act: the action is a non-empty string")
    return _Request("act", action, asset, _params(params))


def assets(action):
    """The configured assets whose app has ``action``, in the config's
    order, as (name, app) pairs: ``for name, app in ms.assets("ip
    reputation")`` asks every threat-intel source, where ``act`` without
    ``asset=`` asks the first only."""
    return [tuple(a) for a in _mailsoar.assets(str(action))]


async def gather(*aws):
    """Await several actions (or coroutines) at once; the results come
    back in the order given.  An exception in one is raised here after
    all have finished."""
    items = []
    for a in aws:
        if isinstance(a, _Request):
            items.append(_one(a))
        elif hasattr(a, "send") and hasattr(a, "throw"):
            items.append(a)
        else:
            raise PlaybookError("gather: %r is neither an action nor a "
                                "coroutine" % (a,))
    if not items:
        return []
    return list(await _Request("gather", items))


async def _one(req):
    return await req


def prompt(message, choices=("yes", "no"), timeout_min=60, default=None):
    """Ask the analyst.  Await it: the chosen string, or ``default`` when
    nobody answers within ``timeout_min`` minutes.  Answered with
    ``mailsoar prompt answer ID CHOICE``."""
    choices = [str(c) for c in choices]
    if not choices:
        raise PlaybookError("prompt: at least one choice")
    if default is None:
        default = choices[-1]
    if default not in choices:
        raise PlaybookError("prompt: default %r is not one of %r"
                            % (default, choices))
    return _Request("prompt", str(message), choices, float(timeout_min),
                    str(default))


def playbook(name):
    """Run another playbook on the same container and await its end;
    returns its run's status ("success", "failed", ...)."""
    return _Request("playbook", str(name))


class _Lists:
    """Custom lists kept in the store (Phantom's custom lists)."""

    def get(self, name):
        return _json.loads(_mailsoar.list_get(name))

    def add(self, name, value):
        _mailsoar.list_add(name, str(value))

    def remove(self, name, value):
        _mailsoar.list_remove(name, str(value))

    def contains(self, name, value):
        return bool(_mailsoar.list_contains(name, str(value)))


lists = _Lists()


class _Log:
    def info(self, msg, *a):
        _mailsoar.log(1, msg % a if a else str(msg))

    def warning(self, msg, *a):
        _mailsoar.log(2, msg % a if a else str(msg))

    warn = warning

    def debug(self, msg, *a):
        _mailsoar.log(0, msg % a if a else str(msg))

    def __call__(self, msg, *a):
        self.info(msg, *a)


log = _Log()


# ---- apps written in Python -------------------------------------------

_apps = {}


def _app_entry(name):
    return _apps.setdefault(name, {"description": "", "settings": {},
                                   "actions": {}})


def app(name, description="", settings=None):
    """Declare a Python app and the asset settings it reads:
    ``settings={"url": {"required": True}, "token": {"secret": True}}``.
    Secret settings may be given as KEY=, KEY_file= or KEY_env= in the
    asset and are never logged."""
    a = _app_entry(str(name))
    a["description"] = str(description)
    for k, v in (settings or {}).items():
        v = v or {}
        a["settings"][str(k)] = {"required": bool(v.get("required")),
                                 "secret": bool(v.get("secret")),
                                 "description": str(v.get("description",
                                                          ""))}


def action(name, app="python", params=None, cacheable=False):
    """Declare an action of a Python app (files in the configured
    ``[playbooks] apps_dir``).  The function takes (params: dict of str,
    asset: dict of the asset's settings plus "name") and returns a dict
    {"data": [...], "summary": {...}, "message": "..."}; raising fails the
    action, ms.Transient for a failure worth retrying.  It runs on a
    worker thread, holding the GIL while it runs Python.
    ``params``: {"name": {"contains": "ip", "required": True}, ...}."""
    def deco(fn):
        ps = {}
        for k, v in (params or {}).items():
            v = v or {}
            ps[str(k)] = {"contains": v.get("contains"),
                          "required": bool(v.get("required")),
                          "description": str(v.get("description", ""))}
        _app_entry(str(app))["actions"][str(name)] = {
            "fn": fn, "params": ps, "cacheable": bool(cacheable),
            "description": (fn.__doc__ or "").strip().split("\n")[0]}
        return fn
    return deco


def _call_action(fn, params_json, asset):
    """Run a Python action for the engine: its result as JSON text."""
    try:
        r = fn(_json.loads(params_json), asset)
    except Transient as exc:
        return _json.dumps({"status": "failed", "transient": True,
                            "message": str(exc) or "transient failure"})
    if r is None:
        r = {}
    if not isinstance(r, dict):
        raise TypeError("a Python action returns a dict, not %s"
                        % type(r).__name__)
    return _json.dumps(r, default=str)


class Transient(Exception):
    """Raised by a Python action for a failure worth retrying."""


# ---- the container ------------------------------------------------------

class Artifact:
    __slots__ = ("id", "name", "label", "cef", "cef_types", "where",
                 "source")

    def __init__(self, d):
        self.id = d.get("id")
        self.name = d.get("name")
        self.label = d.get("label")
        self.cef = d.get("cef") or {}
        self.cef_types = d.get("cef_types") or {}
        self.where = d.get("where")
        self.source = d.get("source")

    def contains(self):
        out = set()
        for v in self.cef_types.values():
            out.update(v if isinstance(v, list) else [v])
        return out

    def __repr__(self):
        return "<Artifact %s %r>" % (self.name, self.cef)


class _Score:
    def __init__(self, c, total, reasons):
        self._c = c
        self._total = total
        self.reasons = reasons

    def add(self, points, reason, evidence=None):
        """Add ``points`` (may be negative) with a reason the analyst
        reads; ``evidence``: an ActionResult, a dict or a string."""
        if isinstance(evidence, ActionResult):
            evidence = {"action_run": evidence.id,
                        "action": evidence.action,
                        "status": evidence.status,
                        "summary": evidence.summary}
        ev = None if evidence is None else _json.dumps(evidence,
                                                        default=str)
        self._total = _mailsoar.score_add(self._c.id, int(points),
                                          str(reason), ev)
        self.reasons.append({"points": int(points), "reason": str(reason)})

    @property
    def total(self):
        return self._total


class Container:
    """The case a playbook works on."""

    def __init__(self, cjson, ajson):
        d = _json.loads(cjson)
        self._d = d
        self.id = d["id"]
        self.name = d.get("name")
        self.label = d.get("label")
        self.severity = d.get("severity")
        self.status = d.get("status")
        self.tags = list(d.get("tags") or [])
        self.reporters = list(d.get("reporters") or [])
        self.data = d.get("data") or {}
        self.email = _Obj(self.data.get("email"))
        self.reporter = (_Obj(self.data["reporter"])
                         if self.data.get("reporter") else None)
        self.attachments = [_Obj(a) for a in self.data.get("attachments")
                            or []]
        self.findings = [_Obj(f) for f in self.data.get("findings") or []]
        self._artifacts = [Artifact(a) for a in _json.loads(ajson)]
        self.score = _Score(self, d.get("score") or 0, [])

    def artifacts(self, contains=None, cef_key=None):
        """Artifacts, optionally only those with a CEF value of the
        given contains type and/or the given CEF key."""
        out = []
        for a in self._artifacts:
            if cef_key is not None and cef_key not in a.cef:
                continue
            if contains is not None and contains not in a.contains():
                continue
            out.append(a)
        return out

    def values(self, contains):
        """Every distinct CEF value of the contains type, in artifact
        order, whatever CEF key it sits in."""
        seen, out = set(), []
        for a in self._artifacts:
            for k, t in a.cef_types.items():
                ts = t if isinstance(t, list) else [t]
                v = a.cef.get(k)
                if contains in ts and isinstance(v, str) and v not in seen:
                    seen.add(v)
                    out.append(v)
        return out

    def add_artifact(self, name, cef, cef_types=None, label=None):
        art = {"name": name, "label": label or "playbook",
               "cef": cef, "cef_types": cef_types or {},
               "where": "playbook"}
        aid = _mailsoar.artifact_add(self.id, _json.dumps(art))
        if aid:
            art["id"] = aid
            art["source"] = "playbook"
            self._artifacts.append(Artifact(art))
        return aid

    def add_note(self, title, markdown):
        return _mailsoar.note_add(self.id, str(title), str(markdown))

    def set_severity(self, severity):
        if severity not in ("low", "medium", "high"):
            raise PlaybookError("severity: low, medium or high")
        _mailsoar.container_set(self.id, "severity", severity)
        self.severity = severity

    def set_status(self, status):
        if status not in ("new", "open", "closed"):
            raise PlaybookError("status: new, open or closed")
        _mailsoar.container_set(self.id, "status", status)
        self.status = status

    def tag(self, tag):
        _mailsoar.container_tag(self.id, str(tag))
        if tag not in self.tags:
            self.tags.append(tag)

    @property
    def verdict(self):
        t = self.score.total
        if t >= 70:
            return "malicious"
        if t >= 30:
            return "suspicious"
        return "benign"

    def __repr__(self):
        return "<Container %d %r>" % (self.id, self.name)


# ---- used by the engine ---------------------------------------------------

async def _run(module, container, run_id):
    """One playbook run: on_start, then on_finish with a summary."""
    await module.on_start(container)
    fin = getattr(module, "on_finish", None)
    if fin is not None:
        r = fin(container, _json.loads(_mailsoar.run_summary(run_id)))
        if hasattr(r, "__await__"):
            await r


def _result(meta, res):
    """An ActionResult from the engine's metadata dict and the action's
    result JSON (parsed when data or summary is first read)."""
    return ActionResult(meta, res)


def _result_json(meta, res):
    d = _json.loads(res) if res else {}
    d.update(meta)
    return _json.dumps(d, ensure_ascii=False)
