// Fused causal self-attention over GPT-2's packed qkv, forward and backward,
// without ever holding the [B, H, T, T] probabilities: each (batch, head)
// runs over blocks of query rows; a block's scores [rows, keys] live in a
// per-thread scratch buffer, the softmax statistics (row max and 1/sum) are
// the only per-row state kept for the backward, which recomputes the
// probabilities block by block (FlashAttention's recomputation, with
// llm.c's row-wise softmax; the products run on the packed GEMM).
//
// Layouts (row-major): qkv [B, T, 3C] as c_attn writes it (q | k | v, each
// C = H·D wide, head h at columns h·D..h·D+D); out and dout [B, T, C] (heads
// already merged); mask additive [Bm, T, T] with Bm = 1 or B; stats [B, H, T, 2].
#pragma once

#include <cstdint>

namespace tk {

struct AttentionShape {
  int64_t batch, time, heads, head_dim;
  float scale;
  // 1: one mask shared by the batch, else one per batch row.
  int64_t mask_batch;
  // Keys after the query's own position are masked anyway (the mask is
  // causal): their blocks are skipped. Only when nothing else could make a
  // row fully masked (no padding), so the result equals the unskipped one.
  bool skip_future;
  // Inverted dropout on the probabilities, mask regenerated from (seed,
  // index into [B, H, T, T]) exactly as the dropout-mask kernel makes it.
  float dropout_rate;
  uint64_t seed;
};

void attention_forward(const AttentionShape& s, const float* qkv, const float* mask, float* out, float* stats);

// dqkv must be zeroed by the caller.
void attention_backward(const AttentionShape& s, const float* qkv, const float* mask, const float* out, const float* stats,
                        const float* dout, float* dqkv);

}  // namespace tk
