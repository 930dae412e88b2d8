/**
 * The training worker: everything that touches tensors runs here (backend,
 * model, LoRA training, generation, saving the adapter), so the page's main
 * thread only renders and stays responsive even on the wasm engine, whose
 * kernels run synchronously. Requests and answers are `../protocol.ts`.
 */
import { getTemplate } from '@tunekit/formats';
import type { FromWorker, RequestName, Requests, ToWorker } from '../protocol';
import { adapterFiles } from './adapter-files';
import { startBackend, type StartedBackend, wasmThreadCount } from './backend';
import { reply } from './chat';
import { encodeTrainingData } from './encode';
import { type LoadedModel, loadChosenModel } from './model-source';
import { TrainingController } from './training';

type Handler<N extends RequestName> = (args: Requests[N]['args'], emit: (event: Requests[N]['event']) => void) => Promise<Requests[N]['result']>;

const controller = new TrainingController();
let started: StartedBackend | undefined;
/** The loaded model and the choice it came from (reloaded only when the choice changes). */
let current: { key: string; loaded: LoadedModel } | undefined;

const post = (message: FromWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

/**
 * One macrotask turn. wasm and cpu kernels run synchronously and their
 * reads resolve as microtasks, so without this a Stop message would wait
 * in the queue until the run ended.
 */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function backendOrThrow(): StartedBackend {
  if (!started) throw new Error('The compute backend has not started');
  return started;
}

function modelOrThrow(): LoadedModel {
  if (!current) throw new Error('No model loaded yet: train first, or load a model');
  return current.loaded;
}

const handlers: { [N in RequestName]: Handler<N> } = {
  async start({ prefer, wasmFolder }, emit) {
    started = await startBackend(prefer, wasmFolder, (message) => emit({ gpuError: message }));
    const { tfjsBackend, device, description } = started.capabilities;
    const threads = tfjsBackend === 'wasm' ? await wasmThreadCount() : undefined;
    return { kind: tfjsBackend, device, description, threads, crossOriginIsolated: self.crossOriginIsolated };
  },

  async loadModel({ choice, key }, emit) {
    const backend = backendOrThrow();
    if (current?.key !== key) {
      // The adapter belongs to the old model: remove it before that model goes.
      controller.release();
      current?.loaded.model.dispose();
      current = undefined;
      const loaded = await loadChosenModel(choice, backend.backend, (p) => emit({ file: p.file, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes, fromCache: p.fromCache }));
      current = { key, loaded };
      return { description: loaded.description, parameters: loaded.model.parameterReport().total, reused: false };
    }
    return { description: current.loaded.description, parameters: current.loaded.model.parameterReport().total, reused: true };
  },

  async train({ data, template, maxTokens, records, settings }, emit) {
    const { model } = modelOrThrow();
    const maxLength = Math.min(model.config.contextLength, maxTokens);
    const examples = encodeTrainingData(data, getTemplate(template), maxLength).slice(0, records || undefined);
    emit({ examples: examples.length, maxLength });
    const run = await controller.run(model, examples, settings, async (event) => {
      emit({ step: { step: event.step, totalSteps: event.totalSteps, loss: event.loss, elapsedMs: event.elapsedMs, tokensPerSecond: event.tokensPerSecond } });
      await yieldToMessages();
    });
    const { steps } = run.result;
    return { steps: run.result.step, stopReason: run.result.stopReason, wallMs: run.wallMs, trainable: run.trainable, firstLoss: steps[0]?.loss, lastLoss: steps.at(-1)?.loss };
  },

  async generate({ message, template, settings }, emit) {
    const { model } = modelOrThrow();
    const result = await reply(model, getTemplate(template), message, settings, (text) => emit({ text }));
    return { text: result.text, tokens: result.tokens.length, finishReason: result.finishReason, withAdapter: controller.adapter !== undefined };
  },

  async adapterFiles() {
    const adapter = controller.adapter;
    if (!adapter) throw new Error('No adapter yet: train first');
    return adapterFiles(adapter, modelOrThrow().baseModelNameOrPath);
  },
};

async function handle<N extends RequestName>(id: number, name: N, args: Requests[N]['args']): Promise<void> {
  const handler = handlers[name] as Handler<N>;
  try {
    const result = await handler(args, (event) => post({ kind: 'event', id, event }));
    post({ kind: 'done', id, result });
  } catch (error) {
    console.error(error);
    post({ kind: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.kind === 'stop') controller.stop();
  else void handle(message.id, message.name, message.args);
});
