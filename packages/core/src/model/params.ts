/**
 * GPT-2's parameters as tfjs variables, named and laid out exactly as in a
 * Hugging Face checkpoint (Conv1D weights are [in, out], so `y = x · W + b`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { float32Variable } from '../tf/variables';
import { SeededRandom } from '../util/random';
import { type GPT2Config, isTied } from './config';
import { EmbeddingTable } from './embedding-table';

/** A Conv1D/linear map: `y = x · weight + bias`. */
export interface LinearParams {
  weight: tf.Variable; // [in, out]
  bias: tf.Variable; // [out]
}

/** Layer-norm gain and shift. */
export interface LayerNormParams {
  weight: tf.Variable; // [C]
  bias: tf.Variable; // [C]
}

/** One transformer block. */
export interface BlockParams {
  ln1: LayerNormParams;
  attention: { cAttn: LinearParams /* [C, 3C] */; cProj: LinearParams /* [C, C] */ };
  ln2: LayerNormParams;
  mlp: { cFc: LinearParams /* [C, F] */; cProj: LinearParams /* [F, C] */ };
}

/** All parameters of GPT-2. */
export interface GPT2Params {
  wte: EmbeddingTable; // [V, C]; also the LM head unless `lmHead` is set
  wpe: tf.Variable; // [P, C]
  blocks: BlockParams[];
  lnF: LayerNormParams;
  /** The separate output matrix `lm_head.weight` [V, C] of an untied model (`tieWordEmbeddings: false`). */
  lmHead?: EmbeddingTable;
}

/** The matrix logits are computed against: `lmHead` when untied, else `wte`. */
export function outputTable(params: GPT2Params): EmbeddingTable {
  return params.lmHead ?? params.wte;
}

/** Hugging Face names (no `transformer.` prefix) and shapes of every tensor. */
export function checkpointShapes(config: GPT2Config): Map<string, number[]> {
  const { vocabSize: V, contextLength: P, embeddingDim: C, innerDim: F } = config;
  const shapes = new Map<string, number[]>([
    ['wte.weight', [V, C]],
    ['wpe.weight', [P, C]],
  ]);
  for (let i = 0; i < config.numLayers; i++) {
    const h = `h.${i}`;
    shapes.set(`${h}.ln_1.weight`, [C]).set(`${h}.ln_1.bias`, [C]);
    shapes.set(`${h}.attn.c_attn.weight`, [C, 3 * C]).set(`${h}.attn.c_attn.bias`, [3 * C]);
    shapes.set(`${h}.attn.c_proj.weight`, [C, C]).set(`${h}.attn.c_proj.bias`, [C]);
    shapes.set(`${h}.ln_2.weight`, [C]).set(`${h}.ln_2.bias`, [C]);
    shapes.set(`${h}.mlp.c_fc.weight`, [C, F]).set(`${h}.mlp.c_fc.bias`, [F]);
    shapes.set(`${h}.mlp.c_proj.weight`, [F, C]).set(`${h}.mlp.c_proj.bias`, [C]);
  }
  shapes.set('ln_f.weight', [C]).set('ln_f.bias', [C]);
  if (!isTied(config)) shapes.set('lm_head.weight', [V, C]);
  return shapes;
}

/** Supplies the float32 values of a named tensor of the given shape. */
export type ValueSource = (name: string, shape: number[]) => Float32Array;

/**
 * Creates the variables from a value source.
 * @param vocabChunkRows - largest row count per `wte` chunk (see {@link EmbeddingTable})
 * @param maxBindingBytes - the backend's binding limit, kept by the table for the loss's chunking
 */
export function buildParams(config: GPT2Config, source: ValueSource, vocabChunkRows = config.vocabSize, maxBindingBytes?: number): GPT2Params {
  const shapes = checkpointShapes(config);
  const variable = (name: string): tf.Variable => {
    const shape = shapes.get(name) as number[];
    return float32Variable(source(name, shape), shape);
  };
  const linear = (name: string): LinearParams => ({ weight: variable(`${name}.weight`), bias: variable(`${name}.bias`) });
  const layerNorm = linear as (name: string) => LayerNormParams;
  const blocks: BlockParams[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const h = `h.${i}`;
    blocks.push({
      ln1: layerNorm(`${h}.ln_1`),
      attention: { cAttn: linear(`${h}.attn.c_attn`), cProj: linear(`${h}.attn.c_proj`) },
      ln2: layerNorm(`${h}.ln_2`),
      mlp: { cFc: linear(`${h}.mlp.c_fc`), cProj: linear(`${h}.mlp.c_proj`) },
    });
  }
  const table = (name: string): EmbeddingTable =>
    EmbeddingTable.fromValues(source(name, shapes.get(name) as number[]), config.vocabSize, config.embeddingDim, vocabChunkRows, maxBindingBytes);
  const params: GPT2Params = { wte: table('wte.weight'), wpe: variable('wpe.weight'), blocks, lnF: layerNorm('ln_f') };
  // Chunked like wte: on WebGPU the [V, C] head has the same binding limit to respect.
  if (!isTied(config)) params.lmHead = table('lm_head.weight');
  return params;
}

/**
 * Random initialisation as in `transformers`' GPT-2: weights ~ N(0, 0.02²),
 * residual projections (`c_proj`) scaled by 1/√(2·layers), biases 0, layer
 * norms (1, 0); an untied `lm_head.weight` ~ N(0, 0.02²) too, drawn last so
 * that the other tensors are the tied model's. Deterministic for a seed.
 */
export function randomValueSource(config: GPT2Config, seed = 0): ValueSource {
  const random = new SeededRandom(seed);
  const residualStd = 0.02 / Math.sqrt(2 * config.numLayers);
  return (name, shape) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) return values.fill(1);
    if (name.endsWith('.bias')) return values;
    const std = name.endsWith('c_proj.weight') ? residualStd : 0.02;
    for (let i = 0; i < values.length; i++) values[i] = std * random.nextNormal();
    return values;
  };
}

function setTable(out: Map<string, tf.Variable>, name: string, table: EmbeddingTable): void {
  const chunks = table.chunks;
  if (chunks.length === 1) out.set(name, chunks[0] as tf.Variable);
  else chunks.forEach((chunk, i) => out.set(`${name}#${i}`, chunk));
}

/**
 * Every variable by its checkpoint name. A `wte` split into several chunks
 * appears as `wte.weight` when whole and `wte.weight#0`, `wte.weight#1`, … otherwise;
 * an untied head likewise as `lm_head.weight` or `lm_head.weight#i`, last.
 */
export function namedVariables(params: GPT2Params): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  setTable(out, 'wte.weight', params.wte);
  out.set('wpe.weight', params.wpe);
  params.blocks.forEach((block, i) => {
    for (const [name, variable] of blockVariables(block, i)) out.set(name, variable);
  });
  out.set('ln_f.weight', params.lnF.weight).set('ln_f.bias', params.lnF.bias);
  if (params.lmHead) setTable(out, 'lm_head.weight', params.lmHead);
  return out;
}

/** The variables of block `layer`, by checkpoint name (`h.{layer}.ln_1.weight`, …). */
export function blockVariables(block: BlockParams, layer: number): Array<[string, tf.Variable]> {
  const h = `h.${layer}`;
  return [
    [`${h}.ln_1.weight`, block.ln1.weight], [`${h}.ln_1.bias`, block.ln1.bias],
    [`${h}.attn.c_attn.weight`, block.attention.cAttn.weight], [`${h}.attn.c_attn.bias`, block.attention.cAttn.bias],
    [`${h}.attn.c_proj.weight`, block.attention.cProj.weight], [`${h}.attn.c_proj.bias`, block.attention.cProj.bias],
    [`${h}.ln_2.weight`, block.ln2.weight], [`${h}.ln_2.bias`, block.ln2.bias],
    [`${h}.mlp.c_fc.weight`, block.mlp.cFc.weight], [`${h}.mlp.c_fc.bias`, block.mlp.cFc.bias],
    [`${h}.mlp.c_proj.weight`, block.mlp.cProj.weight], [`${h}.mlp.c_proj.bias`, block.mlp.cProj.bias],
  ];
}

/** Releases every variable. */
export function disposeParams(params: GPT2Params): void {
  for (const variable of namedVariables(params).values()) variable.dispose();
}
