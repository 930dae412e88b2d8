// Included by a kernel file before its code: FMA contraction off for the rest
// of that file. GCC contracts a·b + c into one FMA in C++ by default once a
// target clone has FMA (AVX2, AVX-512), which rounds once instead of twice;
// with contraction off, the baseline, AVX2 and AVX-512 clones of the same
// source give the same bits. (A pragma at file scope stays in force after
// the #include, for GCC and clang alike.)
#pragma once

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
