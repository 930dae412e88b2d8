/**
 * The errors templates throw. All are {@link TunekitError}s, so programs can
 * switch on `code`.
 * @module
 */
import { TunekitError, type TunekitErrorOptions } from '../errors/tunekit-error.js';

/** Options of {@link TemplateError}: the fix and cause, and a more specific code. */
export interface TemplateErrorOptions extends TunekitErrorOptions {
  /** The stable code. Default `template_error`. */
  code?: string;
}

/** Thrown when a template cannot render a conversation (too many rounds, a system prompt it has no slot for…). */
export class TemplateError extends TunekitError {
  /**
   * @param message - what went wrong
   * @param options - code, fix and cause
   */
  constructor(message: string, options: TemplateErrorOptions = {}) {
    super(options.code ?? 'template_error', message, options);
  }
}

/**
 * A chat template refused the conversation with its own `raise_exception`
 * (e.g. "Conversation roles must alternate"). `templateMessage` is the
 * template's text, exactly as Python's transformers would report it.
 */
export class ChatTemplateRaisedError extends TemplateError {
  /** The message the template passed to `raise_exception`. */
  readonly templateMessage: string;

  /**
   * @param templateName - the template, for the message
   * @param templateMessage - what the template raised
   */
  constructor(templateName: string, templateMessage: string) {
    super(`template "${templateName}" refused the conversation: "${templateMessage}".`, {
      code: 'chat_template_raised',
      fix: 'Change the conversation to what the template accepts, or pick another template.',
    });
    this.templateMessage = templateMessage;
  }
}

/**
 * The answers of a conversation cannot be located in a template's output, so
 * the loss cannot be put on them. `reason` says why, for people.
 */
export class AnswerMaskingError extends TemplateError {
  /** Why the answers cannot be located. */
  readonly reason: string;

  /**
   * @param templateName - the template, for the message
   * @param reason - why masking is impossible with it
   */
  constructor(templateName: string, reason: string) {
    super(`cannot locate the assistant answers rendered by template "${templateName}": ${reason}.`, {
      code: 'answer_masking_impossible',
      fix: 'Use a template that prints each answer once and unchanged, or add {% generation %} blocks around the answers.',
    });
    this.reason = reason;
  }
}
