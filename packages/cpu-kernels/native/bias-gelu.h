// Fused bias + GELU over the MLP's [tokens, 4·C] activations:
// forward y = gelu(h + b), backward dh = dy · gelu'(h + b) and db = Σ_rows dh,
// one pass each instead of the op path's add, ~9 GELU kernels forward and a
// separate column sum of the bias gradient.
#pragma once

#include <cstdint>

namespace tk {

// y[r, i] = gelu(h[r, i] + bias[i]) over h [rows, cols]; approximate: the
// tanh form (`gelu_new`), else the exact erf form.
// GELU's tanh form without a bias over a flat range, through the same code as
// bias_gelu_forward (TunekitGelu / TunekitGeluGrad use these): y = gelu(x),
// dx = dy · gelu'(x).
void gelu_tanh_range(const float* x, float* y, int64_t n);
void gelu_tanh_grad_range(const float* dy, const float* x, float* dx, int64_t n);

void bias_gelu_forward(const float* h, const float* bias, float* y, int64_t rows, int64_t cols, bool approximate);

// dh[r, i] = dy[r, i] · gelu'(h[r, i] + bias[i]); dbias[i] = Σ_r dh[r, i],
// summed in double in a fixed order (32-row chunks), so it does not depend
// on the thread count.
void bias_gelu_backward(const float* dy, const float* h, const float* bias, float* dh, float* dbias, int64_t rows, int64_t cols,
                        bool approximate);

}  // namespace tk
