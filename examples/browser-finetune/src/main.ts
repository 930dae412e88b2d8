/**
 * The page's wiring: start the backend, then on "Train" load the model and
 * the data, train a LoRA adapter with a live chart; chat with the result and
 * download it. Each step lives in its own module; this file only connects
 * them to the DOM and publishes the state for tests (`test-hook.ts`).
 */
import './style.css';
import type { GPT2Model, StepEvent } from '@tunekit/core';
import { adapterFiles, downloadLink, revokeLinks } from './adapter-download';
import { preferredEngines, startBackend, type StartedBackend } from './backend';
import { reply } from './chat';
import { encodeTrainingData, readDataFile, sampleData, TEMPLATE_CHOICES, templateNamed, type TrainingData } from './data';
import { LossChart } from './loss-chart';
import { type LoadedModel, loadModel, type ModelChoice } from './model-source';
import { byId, numberField, prefillFromUrl, radioValue } from './page';
import { demoState, publish } from './test-hook';
import { TrainingController, type TrainingSettings } from './training';

const ui = {
  backend: byId('backend', HTMLElement),
  modelStatus: byId('model-status', HTMLElement),
  modelConfig: byId('model-config', HTMLInputElement),
  modelWeights: byId('model-weights', HTMLInputElement),
  modelUrl: byId('model-url', HTMLInputElement),
  dataFile: byId('data-file', HTMLInputElement),
  dataStatus: byId('data-status', HTMLElement),
  template: byId('template', HTMLSelectElement),
  targets: byId('targets', HTMLSelectElement),
  train: byId('train', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  trainStatus: byId('train-status', HTMLElement),
  chart: byId('chart', HTMLElement),
  chatInput: byId('chat-input', HTMLInputElement),
  send: byId('send', HTMLButtonElement),
  reply: byId('reply', HTMLElement),
  download: byId('download', HTMLButtonElement),
  links: byId('adapter-links', HTMLElement),
  error: byId('error', HTMLElement),
};

const chart = new LossChart(ui.chart);
const controller = new TrainingController();
let backend: StartedBackend | undefined;
/** The loaded model and the choice it came from (reloaded only when the choice changes). */
let current: { key: string; loaded: LoadedModel } | undefined;
let links: HTMLAnchorElement[] = [];

for (const name of TEMPLATE_CHOICES) ui.template.add(new Option(name, name));
prefillFromUrl(location.search);

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error);
  ui.error.textContent = message;
  ui.error.hidden = false;
  publish({ phase: 'error', error: message });
}

/** Enables the buttons that make sense in the current state. */
function refreshButtons(): void {
  const busy = controller.running || demoState().phase === 'generating' || demoState().phase === 'loading-model';
  ui.train.disabled = !backend || busy;
  ui.stop.disabled = !controller.running;
  ui.send.disabled = !current || busy;
  ui.download.disabled = !controller.adapter || busy;
}

function modelChoice(): { key: string; choice: ModelChoice } {
  const kind = radioValue('model');
  if (kind === 'files') {
    const config = ui.modelConfig.files?.[0];
    const weights = ui.modelWeights.files?.[0];
    if (!config || !weights) throw new Error('Pick both config.json and model.safetensors of your GPT-2');
    return { key: `files:${config.name}:${weights.name}:${weights.size}:${weights.lastModified}`, choice: { kind: 'files', config, weights } };
  }
  if (kind === 'url') {
    const url = ui.modelUrl.value.trim();
    if (!/^https?:\/\//.test(url)) throw new Error('Enter the http(s) URL of a folder with config.json and model.safetensors');
    return { key: `url:${url}`, choice: { kind: 'url', url } };
  }
  const seed = numberField('modelSeed', { integer: true, min: 0 });
  return { key: `tiny:${seed}`, choice: { kind: 'tiny', seed } };
}

async function ensureModel(started: StartedBackend): Promise<GPT2Model> {
  const { key, choice } = modelChoice();
  if (current?.key === key) return current.loaded.model;
  // The adapter belongs to the old model: remove it before that model goes.
  controller.release();
  current?.loaded.model.dispose();
  current = undefined;
  publish({ phase: 'loading-model' });
  ui.modelStatus.textContent = 'Loading the model…';
  const loaded = await loadModel(choice, started.backend, (p) => {
    const total = p.totalBytes ? ` of ${(p.totalBytes / 2 ** 20).toFixed(1)} MiB` : '';
    ui.modelStatus.textContent = `Downloading ${p.file}: ${(p.loadedBytes / 2 ** 20).toFixed(1)} MiB${total}`;
  });
  current = { key, loaded };
  ui.modelStatus.textContent = loaded.description;
  publish({ model: { description: loaded.description, parameters: loaded.model.parameterReport().total } });
  return loaded.model;
}

async function chosenData(): Promise<TrainingData> {
  if (radioValue('data') === 'sample') return sampleData();
  const file = ui.dataFile.files?.[0];
  if (!file) throw new Error('Pick a data file, or choose the built-in sample');
  return readDataFile(file);
}

function trainingSettings(): TrainingSettings {
  return {
    steps: numberField('steps', { integer: true, min: 1 }),
    batchSize: numberField('batchSize', { integer: true, min: 1 }),
    learningRate: numberField('learningRate', { min: 0 }),
    rank: numberField('rank', { integer: true, min: 1 }),
    targetModules: ui.targets.value === 'all-linear' ? 'all-linear' : ui.targets.value.split(','),
    seed: numberField('seed', { integer: true, min: 0 }),
  };
}

function onStep(event: StepEvent): void {
  chart.add(event.step, event.loss);
  const step = { step: event.step, loss: event.loss, elapsedMs: event.elapsedMs, tokensPerSecond: event.tokensPerSecond };
  publish({ steps: [...demoState().steps, step] });
  ui.trainStatus.textContent = `step ${event.step}/${event.totalSteps} · loss ${event.loss.toFixed(3)} · ${Math.round(event.tokensPerSecond).toLocaleString('en-US')} tokens/s · ${(event.elapsedMs / 1000).toFixed(1)} s`;
}

async function runTraining(): Promise<void> {
  if (!backend) return;
  ui.error.hidden = true;
  const settings = trainingSettings();
  const data = await chosenData();
  const model = await ensureModel(backend);
  const maxLength = Math.min(model.config.contextLength, numberField('maxTokens', { integer: true, min: 8 }));
  const limit = numberField('records', { integer: true, min: 0 });
  const examples = encodeTrainingData(data, templateNamed(ui.template.value), maxLength).slice(0, limit || undefined);
  const summary = `${data.name}: training on ${examples.length} of ${data.conversations.length} ${data.kind} records, template ${ui.template.value}, at most ${maxLength} tokens each`;
  ui.dataStatus.textContent = summary;
  publish({ phase: 'training', steps: [], trainMs: undefined, data: { name: data.name, kind: data.kind, records: data.conversations.length, examples: examples.length } });
  chart.reset();
  revokeLinks(links);
  links = [];
  ui.links.replaceChildren();
  ui.trainStatus.textContent = 'Compiling GPU kernels and taking the first step…';
  refreshButtons();
  const run = await controller.run(model, examples, settings, onStep);
  const first = run.result.steps[0]?.loss;
  const last = run.result.steps.at(-1)?.loss;
  ui.trainStatus.textContent = `${run.result.step} steps in ${(run.wallMs / 1000).toFixed(1)} s (${run.result.stopReason}); loss ${first?.toFixed(3)} → ${last?.toFixed(3)}\n${run.trainable}`;
  publish({ phase: 'trained', trainMs: run.wallMs, model: { ...demoState().model!, trainable: run.trainable } });
}

async function sendMessage(): Promise<void> {
  if (!current) return;
  const message = ui.chatInput.value.trim();
  if (!message) return;
  const chat = { prompt: message, text: '', tokens: 0, updates: 0, done: false };
  publish({ phase: 'generating', chat });
  refreshButtons();
  ui.reply.textContent = '';
  const settings = { maxNewTokens: numberField('maxNewTokens', { integer: true, min: 1 }), temperature: numberField('temperature', { min: 0 }), seed: 0 };
  const result = await reply(current.loaded.model, templateNamed(ui.template.value), message, settings, (piece) => {
    ui.reply.textContent += piece;
    chat.text += piece;
    chat.updates++;
  });
  chat.tokens = result.tokens.length;
  chat.done = true;
  ui.reply.textContent = `${result.text}\n\n[${result.tokens.length} tokens, finished by ${result.finishReason}${controller.adapter ? ', with the LoRA adapter' : ', base model'}]`;
  publish({ phase: controller.adapter ? 'trained' : 'ready', chat });
}

async function download(): Promise<void> {
  const adapter = controller.adapter;
  if (!adapter || !current) return;
  const files = await adapterFiles(adapter, current.loaded.baseModelNameOrPath);
  revokeLinks(links);
  links = files.map(downloadLink);
  ui.links.replaceChildren(...links);
  publish({ adapterFiles: files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength })) });
  for (const link of links) link.click();
}

/** Runs a button's action with errors shown on the page and the buttons kept consistent. */
function action(button: HTMLButtonElement, work: () => Promise<void>): void {
  button.addEventListener('click', () => {
    void work()
      .catch(showError)
      .finally(refreshButtons);
  });
}

action(ui.train, runTraining);
action(ui.send, sendMessage);
action(ui.download, download);
ui.stop.addEventListener('click', () => controller.stop());
ui.chatInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !ui.send.disabled) ui.send.click();
});

async function start(): Promise<void> {
  try {
    backend = await startBackend(preferredEngines(location.search), (message) => {
      ui.backend.textContent = `${backendLine()}\nGPU error: ${message}`;
      publishBackend();
    });
    ui.backend.textContent = backendLine();
    publishBackend();
    publish({ phase: 'ready' });
  } catch (error) {
    ui.backend.textContent = 'Backend: none could start (see below)';
    showError(error);
  }
  refreshButtons();
}

function publishBackend(): void {
  if (!backend) return;
  const { tfjsBackend, description } = backend.capabilities;
  publish({ backend: { kind: tfjsBackend, description, gpuErrors: backend.gpuErrors() } });
}

function backendLine(): string {
  const capabilities = backend?.capabilities;
  return capabilities ? `Backend: ${capabilities.tfjsBackend} (${capabilities.device}) — ${capabilities.description}` : 'Backend: starting…';
}

void start();
