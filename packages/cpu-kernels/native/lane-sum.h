// Sums of float terms in double over 16 fixed lanes: element i goes to lane
// i % 16 up to the last whole group of 16, then the tail and the lanes are
// added in that fixed order. A loop across the lanes vectorises without
// reassociating anything (one running sum is a chain of dependent adds,
// ~4 cycles an element), and the order depends on neither the ISA level nor
// the thread count. Kernels that must agree bit for bit (the row Sum and
// the global norm's sum of squares) share it, and so do layer norm and
// attention. Include it after
// no-fp-contraction.h, inside TK_ALWAYS_INLINE row functions of ISA clones.
#pragma once

#include <cstdint>

#include "isa-clones.h"

namespace tk {

constexpr int kSumLanes = 16;

// The lanes' total after the tail: tail + lane[0] + ... + lane[15].
TK_ALWAYS_INLINE double lanes_total(const double* lane, double tail) {
  double s = tail;
  for (int l = 0; l < kSumLanes; l++) s += lane[l];
  return s;
}

// Σ term(i) for i in [0, n), each term a double (term reads what it sums:
// one array, a product of two, a square).
template <typename Term>
TK_ALWAYS_INLINE double lane_sum(int64_t n, Term term) {
  double lane[kSumLanes] = {0};
  int64_t i = 0;
  for (; i + kSumLanes <= n; i += kSumLanes) {
    TK_LANE_LOOP
    for (int l = 0; l < kSumLanes; l++) lane[l] += term(i + l);
  }
  double tail = 0;
  for (; i < n; i++) tail += term(i);
  return lanes_total(lane, tail);
}

}  // namespace tk
