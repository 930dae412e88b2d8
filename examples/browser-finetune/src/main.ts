/**
 * The page's wiring. All tensor work runs in the training worker
 * (`worker/trainer-worker.ts`); this file reads the form, sends requests,
 * and renders what comes back: status, progress, the chart, the reply,
 * download links. Errors appear next to the action that caused them.
 */
import './style.css';
import { describeData, readDataFile, sampleData, TEMPLATE_CHOICES } from './data';
import { downloadLink, revokeLinks } from './download-links';
import { engineAdvice } from './engine-advice';
import { LossChart } from './loss-chart';
import { byId, numberField, prefillFromUrl, radioValue } from './page';
import type { EngineKind, ModelChoice, StepInfo, TrainingData, TrainingSettings } from './protocol';
import { type DemoPhase, demoState, measureClicks, publish } from './test-hook';
import { formatDuration, stepTimes } from './step-times';
import { WorkerClient } from './worker-client';

const ui = {
  backend: byId('backend', HTMLElement),
  engine: byId('engine', HTMLDetailsElement),
  engineAdvice: byId('engine-advice', HTMLElement),
  modelStatus: byId('model-status', HTMLElement),
  modelConfig: byId('model-config', HTMLInputElement),
  modelWeights: byId('model-weights', HTMLInputElement),
  modelUrl: byId('model-url', HTMLInputElement),
  modelDownload: byId('model-download', HTMLElement),
  modelProgress: byId('model-progress', HTMLProgressElement),
  modelProgressText: byId('model-progress-text', HTMLElement),
  dataFile: byId('data-file', HTMLInputElement),
  dataStatus: byId('data-status', HTMLElement),
  dataError: byId('data-error', HTMLElement),
  template: byId('template', HTMLSelectElement),
  targets: byId('targets', HTMLSelectElement),
  train: byId('train', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  trainProgress: byId('train-progress', HTMLProgressElement),
  trainStatus: byId('train-status', HTMLElement),
  trainError: byId('train-error', HTMLElement),
  chart: byId('chart', HTMLElement),
  smoothing: byId('smoothing', HTMLButtonElement),
  chatInput: byId('chat-input', HTMLInputElement),
  send: byId('send', HTMLButtonElement),
  chatError: byId('chat-error', HTMLElement),
  reply: byId('reply', HTMLElement),
  download: byId('download', HTMLButtonElement),
  downloadError: byId('download-error', HTMLElement),
  links: byId('adapter-links', HTMLElement),
};

measureClicks();
const worker = new WorkerClient();
const chart = new LossChart(ui.chart);
let engineReady = false;
let modelLoaded = false;
let hasAdapter = false;
/** The picked data file, read and checked when it was picked (or the reason it was refused). */
let picked: Promise<TrainingData> | undefined;
let links: HTMLAnchorElement[] = [];

for (const name of TEMPLATE_CHOICES) ui.template.add(new Option(name, name));
prefillFromUrl(location.search);

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Shows `error` in `place` (the error line next to the action that failed)
 * and publishes it; a failed action also ends its phase, a refused file
 * picked while something runs does not.
 */
function showError(place: HTMLElement, error: unknown, endsPhase = true): void {
  console.error(error);
  place.textContent = message(error);
  place.hidden = false;
  // Beside its action, and scrolled into view if that action is off screen (CSS keeps it clear of the run bar).
  place.scrollIntoView({ block: 'nearest' });
  publish(endsPhase ? { phase: 'error', error: message(error) } : { error: message(error) });
}

function clearError(place: HTMLElement): void {
  place.hidden = true;
  place.textContent = '';
}

function setPhase(phase: DemoPhase): void {
  publish({ phase });
  refreshButtons();
}

/** Enables the buttons that make sense in the current phase. */
function refreshButtons(): void {
  const phase = demoState().phase;
  const busy = phase === 'loading-model' || phase === 'training' || phase === 'stopping' || phase === 'generating' || phase === 'starting';
  ui.train.disabled = !engineReady || busy;
  ui.stop.disabled = phase !== 'training';
  ui.send.disabled = !modelLoaded || busy;
  ui.download.disabled = !hasAdapter || busy;
}

/** Engines to try, from `?prefer=wasm,cpu` in the page URL (for trying the fallback on a machine with WebGPU). */
function preferredEngines(): EngineKind[] | undefined {
  const value = new URLSearchParams(location.search).get('prefer');
  if (!value) return undefined;
  const kinds = value.split(',').map((k) => k.trim());
  const bad = kinds.filter((k) => !['webgpu', 'wasm', 'cpu'].includes(k));
  if (bad.length) throw new Error(`?prefer: unknown engine(s) ${bad.join(', ')} (webgpu, wasm, cpu)`);
  return kinds as EngineKind[];
}

function modelChoice(): { key: string; choice: ModelChoice } {
  const kind = radioValue('model');
  if (kind === 'files') {
    const config = ui.modelConfig.files?.[0];
    const weights = ui.modelWeights.files?.[0];
    if (!config || !weights) throw new Error('Model: pick both config.json and model.safetensors of your GPT-2');
    return { key: `files:${config.name}:${weights.name}:${weights.size}:${weights.lastModified}`, choice: { kind: 'files', config, weights } };
  }
  if (kind === 'url') {
    const url = ui.modelUrl.value.trim();
    if (!url) throw new Error('Model: enter a Hugging Face model id (openai-community/gpt2) or the URL of a folder with config.json and model.safetensors');
    return { key: `url:${url}`, choice: { kind: 'url', url } };
  }
  const seed = numberField('modelSeed', { integer: true, min: 0 });
  return { key: `tiny:${seed}`, choice: { kind: 'tiny', seed } };
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

/** Reads a picked file at once, so its record count and kind (or its errors) show before training. */
function pickDataFile(): void {
  const file = ui.dataFile.files?.[0];
  clearError(ui.dataError);
  if (!file) {
    picked = undefined;
    return;
  }
  document.querySelector<HTMLInputElement>('input[name="data"][value="file"]')!.checked = true;
  ui.dataStatus.textContent = `Reading ${file.name}…`;
  picked = readDataFile(file);
  picked.then(
    (data) => {
      if (ui.dataFile.files?.[0] !== file) return;
      ui.dataStatus.textContent = `${describeData(data)}, ready to train.`;
      publish({ data: { name: data.name, kind: data.kind, records: data.conversations.length } });
    },
    (error: unknown) => {
      if (ui.dataFile.files?.[0] !== file) return;
      ui.dataStatus.textContent = `${file.name} cannot be used:`;
      showError(ui.dataError, error, false);
    },
  );
}

async function chosenData(): Promise<TrainingData> {
  if (radioValue('data') === 'sample') return sampleData();
  if (!picked) throw new Error('Data: pick a data file, or choose the built-in sample');
  return picked;
}

async function ensureModel(): Promise<void> {
  const { key, choice } = modelChoice();
  setPhase('loading-model');
  ui.modelStatus.textContent = 'Loading the model…';
  ui.trainStatus.textContent = 'Loading the model…';
  try {
    const loaded = await worker.request('loadModel', { choice, key }, (progress) => {
      ui.modelDownload.hidden = false;
      ui.modelProgress.max = progress.totalBytes ?? 1;
      if (progress.totalBytes) ui.modelProgress.value = progress.loadedBytes;
      else ui.modelProgress.removeAttribute('value');
      const total = progress.totalBytes ? ` of ${(progress.totalBytes / 2 ** 20).toFixed(1)} MiB` : '';
      const file = progress.file.split('/').pop();
      ui.modelProgressText.textContent = `${file}: ${(progress.loadedBytes / 2 ** 20).toFixed(1)} MiB${total}${progress.fromCache ? ' (from the cache)' : ''}`;
      publish({ download: progress });
    });
    if (!loaded.reused) hasAdapter = false;
    modelLoaded = true;
    ui.modelStatus.textContent = loaded.description;
    publish({ model: { description: loaded.description, parameters: loaded.parameters } });
  } catch (error) {
    modelLoaded = false;
    hasAdapter = false;
    ui.modelStatus.textContent = `The model could not be loaded: ${message(error)}`;
    throw error;
  } finally {
    ui.modelDownload.hidden = true;
  }
}

function showStep(step: StepInfo): void {
  chart.add(step.step, step.loss);
  const steps = [...demoState().steps, { step: step.step, loss: step.loss, elapsedMs: step.elapsedMs, tokensPerSecond: step.tokensPerSecond }];
  publish({ steps });
  const times = stepTimes(steps, step.totalSteps);
  ui.trainProgress.max = step.totalSteps;
  ui.trainProgress.value = step.step;
  const stopping = demoState().phase === 'stopping' ? ' · stopping after this step…' : '';
  ui.trainStatus.textContent =
    `Step ${step.step}/${step.totalSteps} · loss ${step.loss.toFixed(3)} · ${formatDuration(times.perStepMs)} per step · about ${formatDuration(times.leftMs)} left${stopping}`;
}

async function runTraining(): Promise<void> {
  // Train is disabled before anything else, so a second click cannot start a second run.
  setPhase('loading-model');
  clearError(ui.trainError);
  const settings = trainingSettings();
  const maxTokens = numberField('maxTokens', { integer: true, min: 8 });
  const records = numberField('records', { integer: true, min: 0 });
  const data = await chosenData();
  await ensureModel();
  publish({ phase: 'training', error: undefined, steps: [], trainMs: undefined, run: undefined, stopAtStep: undefined, data: { name: data.name, kind: data.kind, records: data.conversations.length } });
  refreshButtons();
  chart.reset();
  revokeLinks(links);
  links = [];
  ui.links.replaceChildren();
  ui.trainProgress.value = 0;
  ui.trainStatus.textContent = demoState().backend?.kind === 'webgpu' ? 'Compiling GPU kernels and taking the first step…' : 'Taking the first step…';
  hasAdapter = false;
  const run = await worker.request('train', { data, template: ui.template.value, maxTokens, records, settings }, (event) => {
    if ('step' in event) showStep(event.step);
    else ui.dataStatus.textContent = `${describeData(data)}; training on ${event.examples} of them, template ${ui.template.value}, at most ${event.maxLength} tokens each.`;
  });
  hasAdapter = run.steps > 0;
  const outcome = run.stopReason === 'completed' ? 'Done' : run.stopReason === 'aborted' ? 'Stopped' : `Stopped (${run.stopReason})`;
  ui.trainStatus.textContent =
    `${outcome}: ${run.steps} steps in ${formatDuration(run.wallMs)}; loss ${run.firstLoss?.toFixed(3)} → ${run.lastLoss?.toFixed(3)}\n${run.trainable}`;
  publish({ trainMs: run.wallMs, run: { stopReason: run.stopReason, steps: run.steps }, model: { ...demoState().model!, trainable: run.trainable } });
  setPhase(hasAdapter ? 'trained' : 'ready');
}

async function sendMessage(): Promise<void> {
  clearError(ui.chatError);
  const text = ui.chatInput.value.trim();
  if (!text) return;
  const settings = { maxNewTokens: numberField('maxNewTokens', { integer: true, min: 1 }), temperature: numberField('temperature', { min: 0 }), seed: 0 };
  const chat = { prompt: text, text: '', tokens: 0, updates: 0, done: false };
  const before = demoState().phase;
  publish({ chat });
  setPhase('generating');
  ui.reply.textContent = '';
  const result = await worker.request('generate', { message: text, template: ui.template.value, settings }, ({ text: piece }) => {
    ui.reply.textContent += piece;
    chat.text += piece;
    chat.updates++;
  });
  chat.tokens = result.tokens;
  chat.done = true;
  ui.reply.textContent = `${result.text}\n\n[${result.tokens} tokens, finished by ${result.finishReason}${result.withAdapter ? ', with the LoRA adapter' : ', base model'}]`;
  publish({ chat });
  setPhase(before === 'error' ? (hasAdapter ? 'trained' : 'ready') : before);
}

async function download(): Promise<void> {
  clearError(ui.downloadError);
  const files = await worker.request('adapterFiles', {});
  revokeLinks(links);
  links = files.map(downloadLink);
  ui.links.replaceChildren(...links);
  publish({ adapterFiles: files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength })) });
  for (const link of links) link.click();
}

/** Runs a button's action; its errors show in `errorPlace`, and the phase returns to one that lets the user retry. */
function action(button: HTMLButtonElement, errorPlace: HTMLElement, work: () => Promise<void>): void {
  button.addEventListener('click', () => {
    void work()
      .catch((error: unknown) => {
        showError(errorPlace, error);
        if (errorPlace === ui.trainError) ui.trainStatus.textContent = 'Training did not run; see the error below.';
      })
      .finally(refreshButtons);
  });
}

action(ui.train, ui.trainError, runTraining);
action(ui.send, ui.chatError, sendMessage);
action(ui.download, ui.downloadError, download);
ui.stop.addEventListener('click', () => {
  worker.stop();
  publish({ stopAtStep: demoState().steps.length });
  setPhase('stopping');
  ui.trainStatus.textContent += ' · stopping after this step…';
});
ui.smoothing.addEventListener('click', () => {
  const shown = chart.toggleSmoothed();
  ui.smoothing.setAttribute('aria-pressed', String(shown));
  ui.smoothing.textContent = `Smoothed line: ${shown ? 'on' : 'off'}`;
});
ui.chatInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !ui.send.disabled) ui.send.click();
});
// Choosing a source selects it: picking a file, or typing a URL, is a clear enough intent.
ui.dataFile.addEventListener('change', pickDataFile);
const selectModel = (value: string) => () => {
  document.querySelector<HTMLInputElement>(`input[name="model"][value="${value}"]`)!.checked = true;
};
ui.modelConfig.addEventListener('change', selectModel('files'));
ui.modelWeights.addEventListener('change', selectModel('files'));
ui.modelUrl.addEventListener('input', selectModel('url'));

async function start(): Promise<void> {
  try {
    const wasmFolder = new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, document.baseURI).href;
    let gpuErrors = 0;
    const engine = await worker.request('start', { prefer: preferredEngines(), wasmFolder }, ({ gpuError }) => {
      gpuErrors++;
      ui.backend.textContent = `Engine: ${demoState().backend?.kind ?? '?'} — GPU error: ${gpuError}`;
      publish({ backend: { ...demoState().backend!, gpuErrors } });
    });
    publish({ backend: { kind: engine.kind, description: engine.description, gpuErrors, threads: engine.threads, crossOriginIsolated: engine.crossOriginIsolated } });
    const threads = engine.threads ? `, ${engine.threads} thread${engine.threads === 1 ? '' : 's'}` : '';
    ui.backend.textContent = `Engine: ${engine.kind} (${engine.device}${threads})${engine.kind === 'webgpu' ? '' : ' — WebGPU is not available here, see why'}`;
    ui.engineAdvice.textContent = `${engineAdvice(engine)}\n\nBackend report: ${engine.description}`;
    // A fallback is worth explaining up front; WebGPU needs no explanation.
    ui.engine.open = engine.kind !== 'webgpu';
    engineReady = true;
    ui.trainStatus.textContent = 'Ready: press Train.';
    setPhase('ready');
  } catch (error) {
    ui.backend.textContent = 'Engine: none could start';
    ui.trainStatus.textContent = 'No compute engine could start; see the error below.';
    showError(ui.trainError, error);
    refreshButtons();
  }
}

void start();
