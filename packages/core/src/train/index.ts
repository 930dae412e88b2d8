// Barrel of this area's public API; re-exported by src/index.ts.
// Heads, freezing, the data pipeline (tokenise, collate, batch order) and the
// trainer with its checkpoints and reporters.

// Heads
export { ClassificationHead, type ClassificationHeadOptions } from '../heads/classification-head';
export { lastTokenHidden } from '../heads/pooling';
export type { HeadApplyOptions, SequenceHead } from '../heads/sequence-head';
export { ValueHead, type ValueHeadOptions } from '../heads/value-head';

// Data
export { BatchOrder, type BatchOrderOptions, type DataPosition, sequentialBatches } from '../data/batch-order';
export {
  type CausalLMBatch, type CausalLMCollateOptions, checkInputLengths, type ClassificationBatch, type ClassificationCollateOptions, collateCausalLM,
  collateClassification, collatePreferences, type PadOptions, type PreferenceBatch,
} from '../data/collate';
export { DataError, requireExamples } from '../data/data-error';
export { encodeClassificationExamples, type EncodeClassificationOptions } from '../data/encode-classification';
export { encodeInstructionExamples, type EncodeInstructionOptions } from '../data/encode-instructions';
export { type DPOPairs, type DPOSkipReason, encodeDPOPairs, encodePreferenceExamples, type EncodePreferenceOptions, type SkippedPair } from '../data/encode-preferences';
export type { CausalLMExample, ClassificationExample, ExampleSource, PreferenceExample, ReferenceLogProbs } from '../data/examples';
export type { RecordInput } from '../data/record-input';
export { segmentTokenizer } from '../data/segment-tokenizer';
export type { LengthOptions } from '../data/sequence-length';

// Training
export { AdamW, type AdamWOptions, type AdamWState } from './adamw';
export {
  type CheckpointData, type CheckpointFiles, type CheckpointOptions, LATEST_FILE, OPTIMIZER_FILE, readCheckpoint, resolveCheckpoint,
  TRAINABLE_FILE, TRAINER_STATE_FILE, writeCheckpoint, type WriteCheckpointOptions,
} from './checkpoint';
export { clipByGlobalNorm, globalNorm } from './clip';
export { CheckpointWriteError, NonFiniteLossError } from './errors';
export { InvalidSettingError } from './settings-error';
export { CheckpointLockedError, LOCK_FILE, STALE_LOCK_MS } from './checkpoint-lock';
export { ModelBusyError } from './model-lock';
export { type CausalLMTaskSpec, type ClassificationTaskSpec, type DPOTaskSpec, evaluate, type EvaluateOptions, type RewardTaskSpec, type TaskData } from './evaluate';
export type { CheckpointEvent, EvalEvent, EvalMetrics, StepEvent, StopReason, TrainCallbacks, TrainResult, TrainStartEvent } from './events';
export { freeze, type FreezeOptions, lastBlockPatterns, type LastBlocksOptions, type TrainableCounts, type TrainableSpec, unfreezeLastBlocks } from './freeze';
export { type Classification, classifyTexts, type ClassifyOptions } from './predict';
export { learningRateAt, type LearningRateOptions, type ScheduleOptions } from './schedule';
export type { Pass, TaskKind } from './tasks/task';
export { softmaxCrossEntropy } from './tasks/classification-task';
export { pairwiseLoss } from './tasks/reward-task';
export { answerLogProbs, type AnswerLogProbOptions } from './tasks/answer-log-probs';
export { type DPOLossType, DPOOptionError, type DPOOptions, type DPOTerms, dpoTerms, type PairLogProbs, resolveDPOOptions, type ResolvedDPOOptions } from './tasks/dpo-loss';
export { precomputeReferenceLogProbs, type PrecomputeReferenceOptions } from './tasks/dpo-reference';
export { DPO_METRICS } from './tasks/dpo-task';
export { trainableVariables } from './trainable-variables';
export type { RunFingerprint, TrainerState } from './trainer-state';
export {
  type CausalLMTrainTask, type ClassificationTrainTask, type DPOTrainTask, type EarlyStoppingOptions, type OptimizerOptions, type RewardTrainTask, train, type TrainOptions,
  type TrainSettings, type TrainTask,
} from './trainer';

// Reporters
export { jsonLog, type JSONLogOptions } from './reporters/json-log';
export { type LossCurveOptions, lossCurveSVG, lossPlot, type LossPlotOptions } from './reporters/loss-plot';
export { formatEval, formatStep, progressBar, type ProgressBarOptions, type ProgressStream } from './reporters/progress-bar';
export { type ChartOptions, type ChartSeries, lineChartSVG, niceTicks } from './reporters/svg-chart';
