/**
 * What the page tells a browser user about the engine that runs: which one,
 * why WebGPU was not used (backend-web's reason, without its "→ using …"
 * tail), how to get WebGPU, and how fast to expect each engine to be, so a
 * slow fallback is never a mystery.
 */

/** The engine the worker started, as `start` reported it. */
export interface EngineReport {
  kind: string;
  description: string;
  /** The wasm engine's threads, when it runs. */
  threads?: number;
  crossOriginIsolated: boolean;
}

/**
 * Speeds measured with this page's defaults (tiny model, batch 4, 64
 * tokens; docs/browser-demo.md has the runs). A real GPU is far faster than
 * SwiftShader, Chromium's CPU implementation of WebGPU.
 */
export const EXPECTED_SPEED: Record<string, string> = {
  webgpu: 'On a real GPU a step of the tiny model takes well under a second and GPT-2 124M trains at a few steps per second; on SwiftShader (a GPU-less machine) the first step compiles shaders for 20 s or more, then 5–10 s per step.',
  wasm: 'wasm runs the tiny model at about 0.1–0.6 s per step; GPT-2 124M is 20–100× slower and may exceed wasm\'s 4 GiB memory.',
  cpu: 'Plain JavaScript is about 10× slower than wasm: fine for a few steps of the tiny model only.',
};

const HOW_TO_GET_WEBGPU =
  'To train on the GPU, open this page in Chrome or Edge 113+ (Windows, macOS, ChromeOS; Android 121+), Safari 26+, or Firefox 141+ on Windows. ' +
  'On Linux, Chrome needs chrome://flags/#enable-unsafe-webgpu (and #enable-vulkan). WebGPU also needs https or localhost.';

/** The reason backend-web gave for each engine it skipped. */
export function fallbackReason(description: string): string | undefined {
  const arrow = description.lastIndexOf(' → using ');
  return arrow < 0 ? undefined : description.slice(0, arrow);
}

/** One paragraph for the page: engine, reason, advice, expected speed. */
export function engineAdvice(report: EngineReport): string {
  const lines: string[] = [];
  if (report.kind === 'webgpu') {
    lines.push(`Running on WebGPU: ${report.description.replace(/^webgpu on /, '')}.`);
  } else {
    const isolation = report.crossOriginIsolated ? 'the page is cross-origin isolated' : 'the page is not cross-origin isolated, so no threads';
    const threads = report.kind === 'wasm' ? ` with ${report.threads ?? 1} thread${report.threads === 1 ? '' : 's'} (${isolation})` : '';
    lines.push(`Running on ${report.kind}${threads}, not on WebGPU.`);
    const reason = fallbackReason(report.description);
    if (reason) lines.push(`Why: ${reason}`);
    lines.push(HOW_TO_GET_WEBGPU);
  }
  const speed = EXPECTED_SPEED[report.kind];
  if (speed) lines.push(`Expected speed: ${speed}`);
  return lines.join('\n');
}
