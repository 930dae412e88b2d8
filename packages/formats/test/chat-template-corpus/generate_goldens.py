#!/usr/bin/env python3
"""Renders every corpus template with Python's jinja2 set up the way
transformers' `apply_chat_template` sets it up, and writes goldens.json.

Reproduced from transformers (src/transformers/utils/chat_template_utils.py,
`_compile_jinja_template` and `render_jinja_template`):
- ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with
  jinja2.ext.loopcontrols and a `{% generation %}` block extension that
  records where assistant text lands in the output;
- globals raise_exception(msg) (raises TemplateError) and strftime_now(fmt);
- a `tojson` filter that is json.dumps(ensure_ascii=False, indent, separators,
  sort_keys) instead of jinja2's HTML-escaping one;
- render variables: messages, tools (None when not given), documents (None),
  add_generation_prompt, every special token, and extra keyword variables;
- continue_final_message: cut the output after the final message's text.
strftime_now uses a fixed clock (FIXED_NOW) so goldens are reproducible; the
JavaScript side injects the same instant.

Usage: /usr/bin/python3 generate_goldens.py   (needs python3-jinja2 only)
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_NOW = datetime(2025, 1, 15, 10, 30, 0)


class GenerationSpans(Extension):
    """`{% generation %}…{% endgeneration %}`: renders its body unchanged and,
    while a recording list is attached, appends the body's [start, end) offsets
    in the output (offsets count the blocks rendered so far, as transformers')."""

    tags = {"generation"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(generation_recorder=None)

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_record", []), [], [], body).set_lineno(lineno)

    def _record(self, caller):
        text = caller()
        recorder = self.environment.generation_recorder
        if recorder is not None:
            start = len("".join(recorder["blocks"]))
            recorder["spans"].append([start, start + len(text)])
        return text


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_NOW.strftime(fmt)


def make_environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationSpans, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def cases(data, entry):
    """Every rendering the corpus checks, as (case id, description). A
    description names the conversation, the flags, the shared values it uses
    (`with`: tools / functions from conversations.json) and extra variables;
    it is written into goldens.json so the JavaScript test replays it as is.
    Tools go to the tool conversations, and to every call of a template that
    always needs them (`always` in sources.json)."""
    always = list(entry.get("always", []))
    for name in data["conversations"]:
        uses = sorted(set(always + (["tools"] if name.startswith("tool-call") else [])))
        for gen in (False, True):
            yield f"{name}{'+gen' if gen else ''}", {"conversation": name, "add_generation_prompt": gen, "with": uses}
    yield "system-user-assistant+continue", {"conversation": "system-user-assistant", "continue_final_message": True, "with": always}
    yield "no-system-prompt+gen+no-thinking", {"conversation": "no-system-prompt", "add_generation_prompt": True, "with": always, "variables": {"enable_thinking": False}}


def resolve(data, case):
    """The messages and keyword arguments of one case description."""
    values = {"tools": data["tools"], **data["variables"]}
    options = {name: values[name] for name in case["with"]}
    options.update(case.get("variables", {}))
    options["add_generation_prompt"] = case.get("add_generation_prompt", False)
    options["continue_final_message"] = case.get("continue_final_message", False)
    return data["conversations"][case["conversation"]], options


def render(env, template, messages, tokens, options):
    """One rendering as transformers does it; returns (text, generation spans)."""
    options = dict(options)
    continue_final = options.pop("continue_final_message", False)
    variables = {
        "messages": messages,
        "tools": options.pop("tools", None),
        "documents": options.pop("documents", None),
        "add_generation_prompt": options.pop("add_generation_prompt", False),
        **{k: v for k, v in tokens.items() if v is not None},
        **options,
    }
    recorder = {"blocks": [], "spans": []}
    env.generation_recorder = recorder
    try:
        for block in template.generate(**variables):
            recorder["blocks"].append(block)
    finally:
        env.generation_recorder = None
    text = "".join(recorder["blocks"])
    if continue_final:
        final = messages[-1]["content"]
        if final.strip() not in text:
            raise ValueError("continue_final_message is set but the final message does not appear in the chat")
        at = text.rindex(final.strip())
        if text[at : at + len(final.lstrip())] == final:
            text = text[: at + len(final.lstrip())]
        else:
            text = text[: at + len(final.strip())]
    return text, recorder["spans"]


# Small templates for each Python behaviour the engine must follow; `text`
# is passed as a variable so no string-literal escaping is involved.
SNIPPETS = {
    "strip-with-chars": "{{ text.lstrip('\\n') }}|{{ 'xxhixx'.strip('x') }}|{{ 'ab..'.rstrip('.') }}|{{ '  a  '.strip() }}|",
    "python-whitespace-set": "{{ (text|trim)|length }} {{ text.strip()|length }} {{ text.lstrip()|length }} {{ text.rstrip()|length }}",
    "empty-string-is-not-false": "{{ '' != false }} {{ '' == false }} {{ 0 == false }} {{ 1 == true }} {{ 1 == 1.0 }} {{ '1' == 1 }} {{ none == false }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }}",
    "length-in-code-points": "{{ text|length }} {{ text[0] }}",
    "title": "{{ text.title() }}|{{ text|title }}",
    "print-like-python": "{{ true }} {{ false }} {{ none }} {{ [1, 'a', none, true, \"it's\"] }} {{ {'a': 1, 'b': [1.5, none]} }} {{ false|string }} {{ 'a' ~ true ~ none ~ 2 }}",
    "repeat-sequences": "{{ '-' * 3 }} {{ 2 * 'ab' }} {{ [0] * 2 }}",
    "list-of-a-string": "{{ 'abc'|list }} {{ text|list|length }}",
    "str-plus-int-fails": "{{ 'a' + 1 }}",
    "safe-plus-str-escapes": "{{ 'x'|safe + text }}|{{ text + 'y'|safe }}|{{ text + 'y' }}",
    "int-dict-keys": "{% set d = {0: 'zero', 2: 'two'} %}{{ d[2] }}{% for k, v in d|dictsort %}{{ k + 1 }}={{ v }};{% endfor %}",
    "crlf-newlines": "a\r\nb{% if true %}\r\nc{% endif %}\r\n",
}
SNIPPET_TEXT = {
    "strip-with-chars": "\n\n  kept leading spaces",
    "python-whitespace-set": "\x1c\x1f\x85\u2028 a \ufeff",
    "length-in-code-points": "\U0001F44B\U0001F3FDab",
    "title": "hELLO wORLD-foo o'neil 3rd ça",
    "list-of-a-string": "\U0001F44Bx",
    "safe-plus-str-escapes": "<\"&'>",
}


def render_snippets(env):
    out = {}
    for name, source in SNIPPETS.items():
        try:
            out[name] = {"source": source, "text_variable": SNIPPET_TEXT.get(name, ""), "text": env.from_string(source).render(text=SNIPPET_TEXT.get(name, ""))}
        except Exception as e:  # a behaviour where Python fails on purpose
            out[name] = {"source": source, "text_variable": SNIPPET_TEXT.get(name, ""), "error": type(e).__name__, "detail": str(e)}
    return out


def main():
    with open(os.path.join(HERE, "conversations.json"), encoding="utf-8") as f:
        data = json.load(f)
    with open(os.path.join(HERE, "sources.json"), encoding="utf-8") as f:
        sources = json.load(f)
    env = make_environment()
    goldens = {}
    for entry in sources:
        with open(os.path.join(HERE, "templates", entry["id"] + ".jinja"), encoding="utf-8", newline="") as f:
            source = f.read()
        template = env.from_string(source)
        results = {}
        for case_id, case in cases(data, entry):
            messages, options = resolve(data, case)
            try:
                text, spans = render(env, template, messages, entry["tokens"], options)
                results[case_id] = {**case, "text": text, **({"generation": spans} if "{% generation" in source or "{%- generation" in source else {})}
            except jinja2.exceptions.TemplateError as e:
                kind = type(e).__name__
                results[case_id] = {**case, "error": str(e) if kind == "TemplateError" else kind, "detail": str(e)}
            except Exception as e:  # the template failed in Python (a type error, a bad call…)
                results[case_id] = {**case, "error": type(e).__name__, "detail": str(e)}
        goldens[entry["id"]] = results
    with open(os.path.join(HERE, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "now": FIXED_NOW.isoformat(), "snippets": render_snippets(env), "goldens": goldens}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
