// Reporters: the progress bar (TTY and plain), the JSONL log (atomic
// rewrites, replay of a resumed run's history) and the SVG loss curve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel, type EvalEvent, type FileIO, type GPT2Model, jsonLog, lossCurveSVG, lossPlot, niceTicks, progressBar, type ProgressStream, train,
  type TrainResult,
} from '@tunekit/core';

/** An in-memory FileIO that records how files were written. */
function memoryFiles(): FileIO & { files: Map<string, string>; writes: string[] } {
  const files = new Map<string, string>();
  const writes: string[] = [];
  const fail = () => Promise.reject(new Error('not used by reporters'));
  return {
    files, writes,
    readFile: fail, rename: fail, exists: async (p) => files.has(p), makeDirectory: async () => {}, listDirectory: async () => [], remove: async (p) => void files.delete(p),
    writeFileAtomic: async (path, data) => {
      writes.push(path);
      files.set(path, typeof data === 'string' ? data : new TextDecoder().decode(data));
    },
  };
}

function recorder(isTTY: boolean): ProgressStream & { text: string } {
  return { isTTY, columns: 120, text: '', write(chunk: string) { this.text += chunk; } };
}

let model: GPT2Model;
let result: TrainResult;
const plain = recorder(false);
const tty = recorder(true);
const io = memoryFiles();

beforeAll(async () => {
  model = await createModel({ embeddingDim: 16, numLayers: 1, numHeads: 2, contextLength: 16 }, { seed: 1 });
  const data = Array.from({ length: 8 }, (_, i) => ({ inputIds: [10 + i, 20 + i, 30 + i, 50256] }));
  result = await train({
    model, task: 'causal-lm', trainData: data, valData: data.slice(0, 2), batchSize: 2, maxSteps: 6, evalEvery: 3, optimizer: { learningRate: 1e-2 },
    callbacks: [progressBar({ stream: plain, everySteps: 2 }), progressBar({ stream: tty }), jsonLog('run/log.jsonl', { files: io }), lossPlot('run/loss.svg', { files: io })],
  });
});
afterAll(() => model.dispose());

describe('progressBar', () => {
  it('prints one line every N steps without a TTY, with loss, lr, tok/s and ETA', () => {
    const lines = plain.text.trim().split('\n');
    expect(lines[0]).toMatch(/^training causal-lm: 6 steps, [\d,]+ of [\d,]+ parameters trainable$/);
    const steps = lines.filter((l) => l.startsWith('step '));
    expect(steps.map((l) => l.split(' ')[1])).toEqual(['2/6', '4/6', '6/6']);
    expect(steps[0]).toMatch(/^step 2\/6 \| loss \d+\.\d{4} \| lr 1\.00e-2 \| [\d,]+ tok\/s \| ETA \d+:\d\d$/);
    expect(lines.filter((l) => l.startsWith('eval @ step')).map((l) => l.split(' ')[3])).toEqual(['0', '3', '6']);
    expect(plain.text).not.toContain('\r');
  });

  it('redraws in place on a TTY', () => {
    expect(tty.text.split('\r\u001b[2K').length - 1).toBeGreaterThanOrEqual(5);
    expect(tty.text).toMatch(/\[#{30}\] step 6\/6/);
  });
});

describe('jsonLog', () => {
  it('writes every event as a JSON line, always through atomic whole-file writes', () => {
    const lines = (io.files.get('run/log.jsonl') as string).trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; loss?: number });
    expect(lines.map((l) => l.type)).toEqual(['start', 'eval', 'step', 'step', 'step', 'eval', 'step', 'step', 'step', 'eval', 'end']);
    expect(lines.filter((l) => l.type === 'step').map((l) => l.loss)).toEqual(result.steps.map((s) => s.loss));
    expect(io.writes.filter((w) => w === 'run/log.jsonl').length).toBeGreaterThanOrEqual(5);
  });

  it("replays a resumed run's history before its own events", async () => {
    const replay = memoryFiles();
    const log = jsonLog('log.jsonl', { files: replay });
    const history = { steps: result.steps.slice(0, 3), evals: result.evals.slice(0, 2) };
    await log.onStart?.({ task: 'causal-lm', totalSteps: 6, startStep: 3, batchesPerEpoch: 4, trainableParameters: 1, totalParameters: 1, resumedFrom: 'ckpt', history });
    const types = (replay.files.get('log.jsonl') as string).trim().split('\n').map((l) => `${(JSON.parse(l) as { type: string; step: number }).type}@${(JSON.parse(l) as { step?: number }).step ?? ''}`);
    expect(types).toEqual(['eval@0', 'step@1', 'step@2', 'step@3', 'eval@3', 'start@']);
  });
});

describe('loss curve', () => {
  it('draws training and validation loss at each evaluation, with tokens seen on the top axis', () => {
    const svg = io.files.get('run/loss.svg') as string;
    expect(svg).toBe(lossCurveSVG(result.evals, { steps: result.steps }));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const polylines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => (m[1] as string).split(' ').length);
    expect(polylines).toEqual([3, 3]);
    expect(svg).toContain('>training loss</text>');
    expect(svg).toContain('>validation loss</text>');
    expect(svg).toContain('>tokens seen</text>');
  });

  it('draws a larger loss higher on the page (a smaller SVG y)', () => {
    const evals = [1, 2].map((loss, step) => ({ step, epoch: 0, tokensSeen: step * 10, train: { loss, accuracy: 0, count: 1 } })) as EvalEvent[];
    const [a, b] = [...(lossCurveSVG(evals).match(/<polyline points="([^"]+)"/)?.[1] as string).split(' ')].map((p) => Number(p.split(',')[1]));
    expect(a).toBeGreaterThan(b as number);
  });

  it('picks round ticks', () => {
    expect(niceTicks({ min: 0, max: 100 })).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks({ min: 2.13, max: 2.9, count: 4 })).toEqual([2.2, 2.4, 2.6, 2.8]);
  });
});
