/**
 * Telling a Hub id (`openai-community/gpt2`) from a local path
 * (`models/gpt2-typo`), and the preset names GPT-2 users type (`gpt2`).
 */

/** The original GPT-2 checkpoints, under the organisation that hosts them on the Hub today. */
export const HUB_PRESETS: Readonly<Record<string, string>> = {
  gpt2: 'openai-community/gpt2',
  'gpt2-medium': 'openai-community/gpt2-medium',
  'gpt2-large': 'openai-community/gpt2-large',
  'gpt2-xl': 'openai-community/gpt2-xl',
  distilgpt2: 'distilbert/distilgpt2',
};

// The Hub's own rule (huggingface_hub's validate_repo_id): one optional
// namespace, letters, digits, `-`, `_`, `.`; no `--` or `..`; no `-`/`.` at either end.
const REPO_ID = /^(?:[\w.-]+\/)?[\w.-]+$/;

/** True when `text` is a well-formed Hub repo id. */
export function isHubRepoId(text: string): boolean {
  if (text.length === 0 || text.length > 96 || !REPO_ID.test(text)) return false;
  if (text.includes('--') || text.includes('..')) return false;
  return text.split('/').every((part) => !/^[-.]|[-.]$/.test(part));
}

/** The Hub id for a preset name (`gpt2` → `openai-community/gpt2`); other ids unchanged. */
export function canonicalRepoId(text: string): string {
  return HUB_PRESETS[text] ?? text;
}

/**
 * True when `text` can only be a file-system path: it starts with `.`, `/`,
 * `~` or a drive letter, holds a backslash, ends with a separator, or has more
 * than one `/` (a Hub id has at most one).
 */
export function isPathLike(text: string): boolean {
  if (/^(?:\.|\/|~|[A-Za-z]:[\\/])/.test(text) || text.includes('\\') || text.endsWith('/')) return true;
  return text.split('/').length > 2;
}
