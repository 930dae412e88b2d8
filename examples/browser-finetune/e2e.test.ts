/**
 * End to end in a real browser: build the demo with Vite, serve it, open it
 * in headless Chromium with WebGPU (SwiftShader on a GPU-less machine), train
 * the tiny model with LoRA on the built-in sample, check the loss falls, chat,
 * download the adapter and check its files, and take a screenshot for the docs.
 *
 * Skips (saying why) when Chromium is missing or WebGPU is unavailable, unless
 * TUNEKIT_REQUIRE_WEBGPU=1, which makes those cases fail.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoState } from './src/test-hook';
import { safetensorsHeader } from './e2e/adapter-files';
import { CHROMIUM_PATH, chromiumMissing, launchChromium } from './e2e/chromium';
import { serveFolder, type StaticServer } from './e2e/static-server';

const here = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = join(here, '../../docs/images/browser-demo.png');
const required = process.env.TUNEKIT_REQUIRE_WEBGPU === '1';
const missing = chromiumMissing();

/**
 * The run the test asks for (page fields, set through the URL). Software
 * WebGPU spends most of a step on the 50,257-wide LM head, whose work grows
 * with the answer tokens in the batch, so the test trains on the first 2
 * sample records (17 answer tokens), the same batch every step: the losses
 * are then comparable step to step. Measured: 10.82 → 9.91 over 8 steps.
 */
const RUN = { records: 2, batchSize: 2, steps: 8, learningRate: 0.03, rank: 8, targets: 'c_attn,mlp.c_proj', seed: 0, maxTokens: 64, maxNewTokens: 8 };
/** The mean loss of the last 3 steps must be at least this far below the first step's (measured: 0.89). */
const MIN_LOSS_DROP = 0.5;

if (missing && !required) console.warn(`[browser-finetune] e2e test skipped: ${missing}. Set TUNEKIT_REQUIRE_WEBGPU=1 to make this a failure.`);

const state = (page: Page) => page.evaluate(() => window.__tunekit) as Promise<DemoState>;

describe.skipIf(missing !== undefined && !required)('browser demo (Vite build, Chromium, WebGPU)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
  });

  it('trains LoRA on WebGPU, the loss falls, chat streams, the adapter downloads', async (context) => {
    if (missing) throw new Error(`TUNEKIT_REQUIRE_WEBGPU=1 but ${missing}`);
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(now - mark);
      mark = now;
    };
    const started = mark;

    const work = await mkdtemp(join(tmpdir(), 'tunekit-browser-demo-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const outDir = join(work, 'dist');
    await build({ configFile: join(here, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    lap('build');

    const server: StaticServer = await serveFolder(outDir);
    cleanup.push(() => server.close());
    const browser: BrowserContext = await launchChromium();
    cleanup.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    lap('launch');

    const query = new URLSearchParams(Object.entries(RUN).map(([k, v]) => [k, String(v)]));
    await page.goto(`${server.url}?${query}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.__tunekit?.phase));
    const ready = await state(page);
    lap('backend');
    console.info(`[browser-finetune] backend: ${ready.backend?.description ?? ready.error}`);
    if (ready.backend?.kind !== 'webgpu') {
      const why = `WebGPU unavailable in ${CHROMIUM_PATH}: ${ready.backend?.description ?? ready.error}`;
      if (required) throw new Error(`TUNEKIT_REQUIRE_WEBGPU=1 but ${why}`);
      console.warn(`[browser-finetune] e2e test skipped: ${why}`);
      context.skip();
    }
    // "webgpu on google swiftshader (…)" on a GPU-less machine; another adapter's name on a real GPU.
    expect(ready.backend!.description).toMatch(/^webgpu on /);
    expect(await page.textContent('#backend')).toContain('Engine: webgpu (gpu)');

    // Train.
    await page.click('#train');
    await page.waitForFunction(() => ['trained', 'error'].includes(window.__tunekit.phase), undefined, { timeout: 200_000, polling: 250 });
    const trained = await state(page);
    expect(trained.error).toBeUndefined();
    lap('train');
    const losses = trained.steps.map((s) => s.loss);
    expect(losses).toHaveLength(RUN.steps);
    expect(losses.every(Number.isFinite)).toBe(true);
    const first = losses[0]!;
    const lastMean = losses.slice(-3).reduce((a, b) => a + b, 0) / 3;
    console.info(`[browser-finetune] ${losses.length} steps in ${(trained.trainMs! / 1000).toFixed(1)} s; loss ${first.toFixed(3)} → ${losses.at(-1)!.toFixed(3)} (last-3 mean ${lastMean.toFixed(3)}); ${trained.model?.trainable}`);
    const firstStepMs = trained.steps[0]!.elapsedMs;
    const laterStepMs = (trained.steps.at(-1)!.elapsedMs - firstStepMs) / (losses.length - 1);
    console.info(`[browser-finetune] losses: ${losses.map((l) => l.toFixed(3)).join(' ')}; first step ${(firstStepMs / 1000).toFixed(1)} s (shader compilation), then ${(laterStepMs / 1000).toFixed(2)} s/step`);
    expect(lastMean).toBeLessThan(first - MIN_LOSS_DROP);
    expect((await state(page)).backend?.gpuErrors).toBe(0);

    // Chat: tokens stream into the page.
    await page.fill('#chat-input', 'Convert 45 kilometers to meters.');
    await page.click('#send');
    await page.waitForFunction(() => window.__tunekit.chat.done || window.__tunekit.phase === 'error', undefined, { timeout: 60_000, polling: 100 });
    const chatted = await state(page);
    lap('chat');
    expect(chatted.error).toBeUndefined();
    console.info(`[browser-finetune] chat: ${chatted.chat.tokens} tokens in ${chatted.chat.updates} streamed pieces: ${JSON.stringify(chatted.chat.text)}`);
    expect(chatted.chat.tokens).toBeGreaterThan(0);
    expect(chatted.chat.updates).toBeGreaterThan(0);
    expect(chatted.chat.text.length).toBeGreaterThan(0);
    expect(await page.textContent('#reply')).toContain(chatted.chat.text.trim().slice(0, 20));

    // Download: two files, PEFT's layout.
    const downloads: Download[] = [];
    page.on('download', (download) => downloads.push(download));
    await page.click('#download');
    await expect.poll(() => downloads.length, { timeout: 20_000 }).toBe(2);
    const files = new Map<string, Uint8Array>();
    for (const download of downloads) {
      const path = join(work, download.suggestedFilename());
      await download.saveAs(path);
      files.set(download.suggestedFilename(), new Uint8Array(await readFile(path)));
    }
    lap('download');
    expect([...files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json'))) as Record<string, unknown>;
    expect(config.peft_type).toBe('LORA');
    expect(config.r).toBe(RUN.rank);
    expect([...(config.target_modules as string[])].sort()).toEqual(RUN.targets.split(',').sort());
    expect(config.task_type).toBe('CAUSAL_LM');
    const tensors = safetensorsHeader(files.get('adapter_model.safetensors')!);
    // c_attn ([64 → 192]) and mlp.c_proj ([256 → 64]) in both blocks, A and B each:
    // 8 tensors, more than WebGPU's default 8 storage buffers allow in one AddN.
    expect(tensors.size).toBe(8);
    expect(tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')).toMatchObject({ dtype: 'F32', shape: [192, RUN.rank] });
    expect(tensors.get('base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight')).toMatchObject({ dtype: 'F32', shape: [RUN.rank, 256] });
    expect(tensors.get('base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight')).toMatchObject({ dtype: 'F32', shape: [64, RUN.rank] });

    // Screenshot for the CI artefacts; the docs' copy is refreshed only when
    // asked (TUNEKIT_UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
    const screenshot = await page.screenshot({ fullPage: true });
    if (process.env.TUNEKIT_UPDATE_SCREENSHOT === '1') {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await writeFile(SCREENSHOT, screenshot);
    }
    const artifacts = process.env.TUNEKIT_ARTIFACTS_DIR;
    if (artifacts) {
      await mkdir(artifacts, { recursive: true });
      await writeFile(join(artifacts, 'browser-demo.png'), screenshot);
      await writeFile(join(artifacts, 'browser-demo.json'), `${JSON.stringify({ timings, losses, backend: trained.backend, chat: chatted.chat }, null, 2)}\n`);
    }
    expect(pageErrors).toEqual([]);
    timings.total = Math.round(performance.now() - started);
    console.info(`[browser-finetune] wall time (ms): ${JSON.stringify(timings)}`);
  }, 300_000);
});
