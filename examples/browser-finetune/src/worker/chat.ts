/**
 * Chatting with the tuned model: the user's message is rendered with the
 * same template as the training data (so the model sees the format it was
 * tuned on), and the reply streams in token by token through core's
 * `generate`. The template's stop strings end the reply.
 */
import { generate, type GenerateResult, type GPT2Model } from '@tunekit/core';
import { renderPrompt, stopStrings, type Template } from '@tunekit/formats';
import type { ChatSettings } from '../protocol';

/**
 * Generates a reply to `message`, calling `onText` with each newly settled
 * piece of text (the worker posts each to the page as it comes).
 */
export async function reply(model: GPT2Model, template: Template, message: string, settings: ChatSettings, onText: (piece: string) => void, signal?: AbortSignal): Promise<GenerateResult> {
  const prompt = renderPrompt({ messages: [{ role: 'user', content: message }] }, { template });
  return generate({
    model,
    prompt,
    maxNewTokens: settings.maxNewTokens,
    temperature: settings.temperature,
    topK: settings.temperature > 0 ? 40 : undefined,
    seed: settings.seed,
    stop: stopStrings(template),
    // Templates that spell <|endoftext|> render it as the special token.
    allowEndOfText: true,
    signal,
    onToken: (chunk) => {
      if (chunk.text) onText(chunk.text);
    },
  });
}
