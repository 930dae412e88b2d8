/**
 * `UnsortedSegmentSum` is the gradient of `gather` (the embedding lookup):
 * rows of x are added into the rows of the output named by segmentIds. The
 * stock tfjs CPU kernel builds one mask per segment (O(segments × rows × C),
 * hours for GPT-2's 50257-row table) and the wasm backend has none, so we
 * register a direct scatter-add, O(rows × C), for both.
 */
import { type KernelConfig, type KernelFunc, type TensorInfo, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

interface CpuLikeBackend {
  readSync(dataId: object): ArrayLike<number>;
}

/** Adds x's rows into `numSegments` rows: the pure arithmetic, shared by both backends. */
export function scatterAddRows(x: ArrayLike<number>, segmentIds: ArrayLike<number>, numSegments: number, out: Float32Array): void {
  const rows = segmentIds.length;
  const inner = rows === 0 ? 0 : x.length / rows;
  for (let r = 0; r < rows; r++) {
    const segment = segmentIds[r] as number;
    // tfjs semantics: ids outside [0, numSegments) are dropped.
    if (segment < 0 || segment >= numSegments) continue;
    const source = r * inner;
    const target = segment * inner;
    for (let c = 0; c < inner; c++) out[target + c] = (out[target + c] as number) + (x[source + c] as number);
  }
}

function outputShape(x: TensorInfo, segmentIds: TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(segmentIds.shape.length)];
}

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const cpu = backend as unknown as CpuLikeBackend & { makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo };
  const shape = outputShape(x, segmentIds, numSegments);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  scatterAddRows(cpu.readSync(x.dataId), cpu.readSync(segmentIds.dataId), numSegments, out);
  return cpu.makeTensorInfo(shape, 'float32', out);
};

const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as unknown as CpuLikeBackend & {
    makeOutput(shape: number[], dtype: string): TensorInfo;
    typedArrayFromHeap(info: TensorInfo): Float32Array;
  };
  const out = wasm.makeOutput(outputShape(x, segmentIds, numSegments), 'float32');
  const values = wasm.typedArrayFromHeap(out);
  values.fill(0);
  scatterAddRows(wasm.readSync(x.dataId), wasm.readSync(segmentIds.dataId), numSegments, values);
  return out;
};

/** Registers the scatter-add `UnsortedSegmentSum` on a tfjs backend (`cpu` or `wasm`), replacing any existing one. */
export function registerSegmentSumKernel(backendName: 'cpu' | 'wasm'): void {
  const existing = getKernel('UnsortedSegmentSum', backendName);
  const kernelFunc = backendName === 'cpu' ? cpuKernel : wasmKernel;
  if (existing?.kernelFunc === kernelFunc) return;
  if (existing) unregisterKernel('UnsortedSegmentSum', backendName);
  const config: KernelConfig = { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc };
  registerKernel(config);
}
