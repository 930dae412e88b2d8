/**
 * `@tunekit/formats`: fine-tuning data formats and prompt templates, with no
 * ML dependency. Reads Alpaca, ShareGPT, OpenAI chat, preference and
 * classification records (JSON, JSONL, TSV; streamed, every error located),
 * converts between them, renders conversations with prompt templates into
 * `{text, trainable}` segments, validates datasets and splits them.
 *
 * Browser-safe: file-path helpers live in `@tunekit/formats/node`.
 * @packageDocumentation
 */

// Records
export type { Conversation, Message, Role } from './records/conversation.js';
export type {
  AlpacaPrompt,
  AlpacaRecord,
  AnyRecord,
  ClassificationRecord,
  OpenAIChatRecord,
  OpenAIMessage,
  PreferenceRecord,
  RecordKind,
  RecordOfKind,
  ShareGPTRecord,
  ShareGPTTurn,
} from './records/record-types.js';
export { RECORD_KINDS } from './records/record-types.js';
export type { FieldIssue, RecordCheck } from './records/field-issue.js';
export { checkAlpaca } from './records/check-alpaca.js';
export { checkShareGPT, SHAREGPT_ROLES } from './records/check-sharegpt.js';
export { checkOpenAI, OPENAI_MESSAGE_KEYS, OPENAI_ROLES } from './records/check-openai.js';
export { checkPreference } from './records/check-preference.js';
export { checkClassification, classificationCheck, type ClassificationCheckOptions } from './records/check-classification.js';
export { checkFor } from './records/checks.js';
export { detectKind } from './records/detect-kind.js';
export { ConversationError, toRounds, type Round, type Rounds } from './records/rounds.js';

// Errors: the one hierarchy every tunekit package throws
export { FileNotFoundError, isTunekitError, TunekitError, type TunekitErrorOptions } from './errors/tunekit-error.js';
export { InvalidArgumentError, InvalidFileError, InvalidStateError, UnsupportedError } from './errors/common-errors.js';
export { FileWriteError, type FileWriteErrorCode } from './errors/file-write-error.js';

// Readers
export { formatReadErrors, RecordsError, type ReadError } from './read/read-error.js';
export { textChunks, type Chunk, type TextSource } from './read/text-source.js';
export { SNIFF_BYTES, sniffBytes, type ByteSniff } from './read/sniff-bytes.js';
export { DATA_FILE_FIX, UnreadableInputError, type UnreadableInputCode } from './read/input-error.js';
export { numberedLines, type NumberedLine } from './read/lines.js';
export type { ParsedItem, ParsedValue, ParseProblem } from './read/parsed-item.js';
export { parseJSONArray } from './read/json-array.js';
export { parseJSONL } from './read/jsonl.js';
export { DEFAULT_TSV_COLUMNS, parseTSV, type TSVOptions } from './read/tsv.js';
export { formatFromFileName, isCSVFileName, looksLikeCSV, sniffFormat, type DataFormat } from './read/detect-format.js';
export {
  readRecords,
  readRecordsOrThrow,
  streamRecords,
  type LocatedRecord,
  type ReadItem,
  type ReadRecordItem,
  type ReadOptions,
  type ReadResult,
} from './read/read-records.js';

// Templates and rendering
export type { ChatTemplate, JinjaChatTemplate, MarkerPart, RenderOptions, SystemSlot, Template, TemplatePart, TokenPart } from './templates/template-types.js';
export { AnswerMaskingError, ChatTemplateRaisedError, TemplateError, type TemplateErrorOptions } from './templates/template-errors.js';
export {
  encodeSegments,
  END_OF_TEXT,
  IGNORE_INDEX,
  markSegments,
  SegmentBuilder,
  segmentsToText,
  trainableText,
  type EncodedSegments,
  type Segment,
  type SegmentMarks,
  type SegmentTokenizer,
} from './templates/segments.js';
export { render, renderPrompt, stopStrings } from './templates/render.js';
export { renderChat } from './templates/render-chat.js';
export { fromChatTemplate, renderJinja, toChatTemplateMessages, type ChatTemplateOptions } from './templates/jinja-template.js';
export { applyChatTemplate, type ApplyChatTemplateOptions, type ChatTemplateMessage, type SpecialTokens } from './templates/chat-template-render.js';
export { END_OF_TURN_MARKERS, locateAnswers, type AnswerSpan, type LocateAnswersOptions, type LocatedAnswers } from './templates/chat-template-answers.js';
export type { TextSpan } from './templates/generation-blocks.js';
export {
  chatTemplateFromFiles,
  fromTokenizerConfig,
  specialTokensOf,
  type ChatTemplateFiles,
  type LoadChatTemplateOptions,
  type ModelFileContent,
} from './templates/chat-template-loading.js';
export { alpacaLlmsFromScratchTemplate, alpacaTemplate, stanfordAlpacaTemplate } from './templates/alpaca.js';
export { chatglm2Template, chatglm3Template, chatglm3ThudmTemplate, chatglmTemplate } from './templates/chatglm.js';
export { chatmlTemplate } from './templates/chatml.js';
export { claudeTemplate } from './templates/claude.js';
export { guanacoTemplate } from './templates/guanaco.js';
export { llama2Template } from './templates/llama2.js';
export { vicunaTemplate } from './templates/vicuna.js';
export { getTemplate, templateNames, TEMPLATES } from './templates/registry.js';

// Conversions
export { converted, failed, type Conversion, type ConversionFailure, type Converted } from './convert/conversion.js';
export {
  alpacaToConversation,
  classificationToConversation,
  openAIToConversation,
  shareGPTToConversation,
  type ClassificationPromptOptions,
} from './convert/from-records.js';
export { conversationToAlpaca, conversationToOpenAI, conversationToShareGPT, joinInput } from './convert/to-records.js';
export { preferenceToConversation, preferenceToPair, renderPreference, type PreferencePair, type RenderedPreference } from './convert/preference.js';
export { convertRecord, toConversation, type ConvertOptions } from './convert/convert-record.js';
export { toJSONArray, toJSONL, toTSV } from './write/write-records.js';

// Validation
export {
  countSegments,
  encodingCounter,
  ESTIMATED_TOKEN_COUNTER,
  MissingTokenizerError,
  OPENAI_ENCODINGS,
  resolveTokenCounter,
  tokenCounter,
  type ModuleImporter,
  type OpenAIEncoding,
  type SegmentTokenCounts,
  type TokenCounter,
  type TokenizeFn,
} from './validate/token-counter.js';
export { distribution, quantile, type Distribution } from './validate/distribution.js';
export { conversationMessages, cookbookTokens, cookbookTrainableTokens, type CookbookMessage } from './validate/cookbook-tokens.js';
export { DEFAULT_BUDGET, estimateEpochs, type BudgetEstimate, type BudgetSettings } from './validate/budget.js';
export { ReportBuilder } from './validate/report-builder.js';
export {
  buildReport,
  counterFor,
  defaultEncoding,
  type OverLengthExample,
  type OverLengthSummary,
  type ReportWarnings,
  type TokenizerInfo,
  type ValidationOptions,
  type ValidationReport,
} from './validate/validation-report.js';
export { validateSource } from './validate/validate-source.js';
export { formatReport } from './validate/format-report.js';

// Seeded randomness: the one generator every package uses
export { SeededRandom } from './random/seeded-random.js';

// Splits
export { seededRandom, shuffled } from './split/random.js';
export { splitRecords, type NamedFractions, type Split, type SplitFractions, type SplitOptions } from './split/split-records.js';
export { balanceClasses, type BalanceOptions } from './split/balance-classes.js';
