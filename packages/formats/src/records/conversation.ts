/**
 * The one shape every record kind is normalised to before rendering.
 * @module
 */

/** Who speaks a message. */
export type Role = 'system' | 'user' | 'assistant';

/** One message of a {@link Conversation}. */
export interface Message {
  /** Who speaks. */
  role: Role;
  /** The text. */
  content: string;
  /**
   * Alpaca's optional context for a user turn (its `input` field), kept apart
   * so templates with an input slot (Stanford Alpaca, LLMs-from-scratch) can
   * place it; the others join it to `content` with a newline, as LLaMA-Factory
   * does.
   */
  input?: string;
  /**
   * OpenAI's per-message weight: `0` keeps an assistant message in the text
   * but out of the loss. Absent means 1.
   */
  weight?: 0 | 1;
  /** OpenAI's optional speaker name. */
  name?: string;
}

/**
 * A conversation ready to render: an optional system prompt, then user and
 * assistant messages that alternate, starting with the user. A conversation
 * that ends with a user message is a prompt (see `renderPrompt`).
 */
export interface Conversation {
  /** The system prompt; `undefined` uses the template's default, `''` asks for none. */
  system?: string;
  /** The messages, in order. Leading `system` messages are folded into {@link Conversation.system}. */
  messages: Message[];
}
