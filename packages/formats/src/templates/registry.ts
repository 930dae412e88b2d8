/** Templates by name. @module */
import { alpacaLlmsFromScratchTemplate, alpacaTemplate, stanfordAlpacaTemplate } from './alpaca.js';
import { chatglm2Template, chatglm3Template, chatglm3ThudmTemplate, chatglmTemplate } from './chatglm.js';
import { chatmlTemplate } from './chatml.js';
import { claudeTemplate } from './claude.js';
import { guanacoTemplate } from './guanaco.js';
import { llama2Template } from './llama2.js';
import { TemplateError, type ChatTemplate } from './template-types.js';
import { vicunaTemplate } from './vicuna.js';

/** Every built-in template, by name. */
export const TEMPLATES: Readonly<Record<string, ChatTemplate>> = Object.freeze(
  Object.fromEntries(
    [
      alpacaTemplate,
      stanfordAlpacaTemplate,
      alpacaLlmsFromScratchTemplate,
      chatglmTemplate,
      chatglm2Template,
      chatglm3Template,
      chatglm3ThudmTemplate,
      claudeTemplate,
      chatmlTemplate,
      guanacoTemplate,
      vicunaTemplate,
      llama2Template,
    ].map((t) => [t.name, t]),
  ),
);

/** The names of the built-in templates. */
export function templateNames(): string[] {
  return Object.keys(TEMPLATES);
}

/** A built-in template by name; throws a {@link TemplateError} listing the known names. */
export function getTemplate(name: string): ChatTemplate {
  const template = TEMPLATES[name];
  if (!template) throw new TemplateError(`unknown template "${name}"; known templates: ${templateNames().join(', ')}`, { fix: "Use one of those names, or load the model's own template with fromTokenizerConfig." });
  return template;
}
