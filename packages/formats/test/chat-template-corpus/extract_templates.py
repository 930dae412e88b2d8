#!/usr/bin/env python3
"""Copies real chat templates out of local git mirrors into templates/ and
writes sources.json (model, carrier repository, path, commit, licence note).

Run once by hand; its output is committed, so CI never needs the mirrors.
  python3 extract_templates.py /path/to/llama.cpp.git /path/to/chat_templates.git
Both arguments are bare git directories (read with `git show`).
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "templates")

# Special tokens of each model's tokenizer_config.json, where the carrier file
# does not give them. Both engines receive the same values, so an unknown one
# only makes the rendering less realistic, never the comparison wrong.
LLAMA3 = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
QWEN = {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
MISTRAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
DEEPSEEK = {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"}
FILE_TOKENS = {
    "ByteDance-Seed-OSS": {"bos_token": "<seed:bos>", "eos_token": "<seed:eos>"},
    "CohereForAI-c4ai-command-r-plus-tool_use": {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>"},
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use": {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>"},
    "Mistral-Small-3.2-24B-Instruct-2506": MISTRAL,
    "NVIDIA-Nemotron-Nano-v2": {"bos_token": "<SPECIAL_10>", "eos_token": "<SPECIAL_12>"},
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"},
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"},
    "Qwen-QwQ-32B": QWEN,
    "Qwen-Qwen2.5-7B-Instruct": QWEN,
    "Qwen-Qwen3-0.6B": QWEN,
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": DEEPSEEK,
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": DEEPSEEK,
    "deepseek-ai-DeepSeek-V3.1": DEEPSEEK,
    "fireworks-ai-llama-3-firefunction-v2": LLAMA3,
    "google-gemma-2-2b-it": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "ibm-granite-granite-3.3-2B-Instruct": {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>"},
    "meetkai-functionary-medium-v3.1": LLAMA3,
    "meetkai-functionary-medium-v3.2": LLAMA3,
    "meta-llama-Llama-3.1-8B-Instruct": LLAMA3,
    "meta-llama-Llama-3.2-3B-Instruct": LLAMA3,
    "meta-llama-Llama-3.3-70B-Instruct": LLAMA3,
    "microsoft-Phi-3.5-mini-instruct": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>"},
    "mistralai-Mistral-Nemo-Instruct-2407": MISTRAL,
    "moonshotai-Kimi-K2": {"bos_token": "[BOS]", "eos_token": "[EOS]"},
    "openai-gpt-oss-120b": {"bos_token": "<|startoftext|>", "eos_token": "<|return|>"},
    "unsloth-mistral-Devstral-Small-2507": MISTRAL,
    "llamacpp-test-Llama-3": LLAMA3,
    "llamacpp-test-ai-sage-GigaChat-20B-A3B-instruct": {"bos_token": "<s>", "eos_token": "</s>", "additional_special_tokens": ["<|message_sep|>", "<|role_sep|>", "<|file_start|>", "<|file_end|>"]},
    "chujiezheng-alpaca": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-amberchat": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-chatml": {"bos_token": "<s>", "eos_token": "<|im_end|>"},
    "chujiezheng-chatqa": LLAMA3,
    "chujiezheng-llama-2-chat": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-llama-3-instruct": LLAMA3,
    "chujiezheng-mistral-instruct": MISTRAL,
    "chujiezheng-openchat-3.5": {"bos_token": "<s>", "eos_token": "<|end_of_turn|>"},
    "chujiezheng-phi-3-small": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"},
    "chujiezheng-saiga": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-solar-instruct": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-vicuna": {"bos_token": "<s>", "eos_token": "</s>"},
    "chujiezheng-zephyr": {"bos_token": "<s>", "eos_token": "</s>"},
}

# Variables a template needs on every call (its model card passes them).
FILE_VARIABLES = {
    "CohereForAI-c4ai-command-r-plus-tool_use": ["tools"],
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": ["tools"],
    "fireworks-ai-llama-3-firefunction-v2": ["functions"],
}

# Licence of each model repository as its model card states it (from memory
# of the Hugging Face pages; not re-checked here, the network is closed).
LICENCES = [
    (r"^(meta-llama|Llama-3|fireworks|meetkai)", "Llama 3.x Community License (model repository)"),
    (r"^(Qwen|Qwen-)", "Apache-2.0 (Qwen model repository)"),
    (r"^(deepseek|DeepSeek)", "MIT / DeepSeek model licence (model repository)"),
    (r"^(google|gemma)", "Gemma Terms of Use (model repository)"),
    (r"^(microsoft|Phi|phi)", "MIT (Microsoft Phi model repository)"),
    (r"^(mistral|Mistral|unsloth-mistral)", "Apache-2.0 (Mistral AI model repository)"),
    (r"^(CohereForAI|Cohere)", "CC-BY-NC-4.0 (Cohere model repository)"),
    (r"^(ibm-granite|ibm)", "Apache-2.0 (IBM Granite model repository)"),
    (r"^(NousResearch)", "Llama 3 Community License (NousResearch model repository)"),
    (r"^(openai)", "Apache-2.0 (OpenAI gpt-oss model repository)"),
    (r"^(moonshotai)", "Modified MIT (Moonshot AI model repository)"),
    (r"^(NVIDIA|nvidia)", "NVIDIA Open Model License (model repository)"),
    (r"^(ByteDance)", "Apache-2.0 (ByteDance Seed model repository)"),
]


def licence_for(model):
    for pattern, text in LICENCES:
        if re.search(pattern, model):
            return text
    return "licence of the model repository not recorded; the carrier repository's licence applies to the copy"


def git_show(gitdir, rev, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show", f"{rev}:{path}"], check=True, capture_output=True).stdout.decode("utf-8")


def git_head(gitdir):
    return subprocess.run(["git", "--git-dir", gitdir, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def slug(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")


def c_string_literals(source, start):
    """Reads adjacent C string literals (optionally u8 / U8C(...)) from start; returns (text, end)."""
    pos = start
    parts = []
    wrapped = False
    while True:
        m = re.compile(r"\s*(U8C\(\s*)?(u8)?\"").match(source, pos)
        if not m:
            break
        wrapped = wrapped or bool(m.group(1))
        pos = m.end()
        buf = []
        while source[pos] != '"':
            ch = source[pos]
            if ch == "\\":
                nxt = source[pos + 1]
                buf.append({"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "r": "\r"}[nxt])
                pos += 2
            else:
                buf.append(ch)
                pos += 1
        pos += 1
        parts.append("".join(buf))
        if m.group(1):
            pos = re.compile(r"\s*\)").match(source, pos).end()
    return "".join(parts), pos


def llama_cpp_test_cases(gitdir, rev):
    path = "tests/test-chat-template.cpp"
    source = git_show(gitdir, rev, path)
    cases = []
    for m in re.finditer(r"/\* \.name= \*/", source):
        name, pos = c_string_literals(source, m.end())
        t = re.compile(r"[\s,]*(//[^\n]*\n\s*)*/\* \.template_str= \*/").match(source, pos)
        if not t:
            continue
        template, pos = c_string_literals(source, t.end())
        tokens = {}
        window = source[pos : pos + 3000]
        end = window.find("/* .name= */")
        window = window if end == -1 else window[:end]
        for key in ("bos_token", "eos_token"):
            k = re.search(r"/\* \." + key + r"= \*/", window)
            if k:
                tokens[key], _ = c_string_literals(window, k.end())
        cases.append((name, template, tokens))
    return path, cases


# Templates quoted inside source files rather than stored as files. Each is
# the Python string literal's value, typed from the file at the commit given.
QUOTED = [
    {
        "id": "marin-community-marin-tokenizer",
        "model": "stanford-crfm/marin-tokenizer",
        "carrier": {"repo": "marin-community/marin", "path": "experiments/marin_models.py (MARIN_CHAT_TEMPLATE)", "commit": "1d16139c4d51b6d2179f337f14028c1c00e241f3", "licence": "Apache-2.0"},
        "licence": "Apache-2.0 (Marin model repositories)",
        "tokens": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
        "note": "the one corpus template with {% generation %} blocks (Llama 3 tokens, OLMo 2 layout)",
        "template": """
{{ bos_token }}
{%- for message in messages -%}
{%- if message['role'] == 'assistant' -%}
    <|start_header_id|>{{ message['role'] }}<|end_header_id|>
{% generation %}{{- message['content'] | trim }}<|eot_id|>{% endgeneration %}\n
{% else %}
<|start_header_id|>{{ message['role'] }}<|end_header_id|>
{{ message['content'] | trim }}<|eot_id|>
{% endif %}
{%- endfor -%}
{%- if add_generation_prompt -%}
<|start_header_id|>assistant<|end_header_id|>\n{% endif -%}
""".strip(),
    },
]


def main():
    llama_git, chat_templates_git = sys.argv[1], sys.argv[2]
    os.makedirs(OUT, exist_ok=True)
    entries = []
    seen = {}

    def add(entry_id, model, template, carrier, tokens, note=""):
        if template in seen:
            print(f"skip {entry_id}: same text as {seen[template]}", file=sys.stderr)
            return
        seen[template] = entry_id
        with open(os.path.join(OUT, entry_id + ".jinja"), "w", encoding="utf-8", newline="") as f:
            f.write(template)
        entry = {"id": entry_id, "model": model, "carrier": carrier, "licence": licence_for(model), "tokens": FILE_TOKENS.get(entry_id, tokens)}
        if entry_id in FILE_VARIABLES:
            entry["always"] = FILE_VARIABLES[entry_id]
        if note:
            entry["note"] = note
        entries.append(entry)

    rev = git_head(llama_git)
    listing = subprocess.run(["git", "--git-dir", llama_git, "ls-tree", "--name-only", rev, "models/templates/"], check=True, capture_output=True, text=True).stdout.split()
    for path in sorted(listing):
        name = os.path.basename(path)
        if not name.endswith(".jinja") or name.startswith("llama-cpp-"):
            continue  # llama-cpp-* are llama.cpp's own, not from a model repository
        stem = name[: -len(".jinja")]
        carrier = {"repo": "ggml-org/llama.cpp (mirror ye-NX/llama.cpp)", "path": path, "commit": rev, "licence": "MIT"}
        note = "fetched from the Hugging Face model repository by llama.cpp's scripts/get_chat_template.py"
        add(stem, stem, git_show(llama_git, rev, path), carrier, {}, note)

    path, cases = llama_cpp_test_cases(llama_git, rev)
    for name, template, tokens in cases:
        model = name.split(" (")[0]
        carrier = {"repo": "ggml-org/llama.cpp (mirror ye-NX/llama.cpp)", "path": path, "commit": rev, "licence": "MIT"}
        note = "test case named after its model repository" + ("; " + name[len(model) + 2 : -1] if " (" in name else "")
        add("llamacpp-test-" + slug(name.split(" (")[0] + ("-" + name.split(" (")[1] if " (" in name else ""))[:80], model, template, carrier, {k: v for k, v in tokens.items()}, note)

    rev2 = git_head(chat_templates_git)
    listing = subprocess.run(["git", "--git-dir", chat_templates_git, "ls-tree", "--name-only", rev2, "chat_templates/"], check=True, capture_output=True, text=True).stdout.split()
    for path in sorted(listing):
        stem = os.path.basename(path)[: -len(".jinja")]
        carrier = {"repo": "chujiezheng/chat_templates", "path": path, "commit": rev2, "licence": "MIT"}
        note = "the collection's version of the model family's official template (some are adjusted by the collection, e.g. to accept a system message)"
        add("chujiezheng-" + stem, stem, git_show(chat_templates_git, rev2, path), carrier, {}, note)

    for quoted in QUOTED:
        fields = {k: v for k, v in quoted.items() if k not in ("id", "template", "model", "carrier", "tokens", "note")}
        add(quoted["id"], quoted["model"], quoted["template"], quoted["carrier"], quoted["tokens"], quoted["note"])
        entries[-1]["licence"] = fields["licence"]

    with open(os.path.join(HERE, "sources.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{len(entries)} templates", file=sys.stderr)


if __name__ == "__main__":
    main()
