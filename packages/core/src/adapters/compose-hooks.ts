/** Combining the hooks of several active adapters into one {@link ForwardHooks}. */
import { InvalidStateError } from '@tunekit/formats';
import type { ForwardHooks } from '../model/hooks';

/**
 * One set of hooks from several: LoRA updates of the same map add up (each
 * adapter adds its term to the output in turn; only a lone adapter's
 * `lowRank` is passed on); at most one adapter may supply
 * prompt embeddings and at most one a key/value prefix. Undefined when there
 * is nothing to hook.
 */
export function composeHooks(parts: readonly ForwardHooks[]): ForwardHooks | undefined {
  const linears = parts.filter((p) => p.linear);
  const prompts = parts.filter((p) => p.promptEmbeddings);
  const prefixes = parts.filter((p) => p.attentionPrefix);
  if (prompts.length > 1) throw new InvalidStateError('Only one prompt-tuning adapter can be active at a time', { fix: 'Activate one prompt-tuning adapter at a time (setActive).' });
  if (prefixes.length > 1) throw new InvalidStateError('Only one prefix-tuning adapter can be active at a time', { fix: 'Activate one prefix-tuning adapter at a time (setActive).' });
  if (linears.length + prompts.length + prefixes.length === 0) return undefined;
  const hooks: ForwardHooks = {};
  if (linears.length === 1) {
    hooks.linear = (linears[0] as ForwardHooks).linear;
    // Only a single adapter's term can be fused: with several, each `linear` adds its own in turn.
    if (linears[0]?.lowRank) hooks.lowRank = linears[0].lowRank;
  }
  else if (linears.length > 1) {
    hooks.linear = (name, input, output, context) =>
      linears.reduce((out, part) => (part.linear as NonNullable<ForwardHooks['linear']>)(name, input, out, context), output);
  }
  if (prompts[0]) hooks.promptEmbeddings = prompts[0].promptEmbeddings;
  if (prefixes[0]) hooks.attentionPrefix = prefixes[0].attentionPrefix;
  return hooks;
}
