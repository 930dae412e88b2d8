{
  # Built by scripts/build-native.mjs at install time. No -march: the binary
  # must run on any x86-64 (or arm64); AVX2/AVX-512 code is compiled through
  # function target attributes and chosen at run time.
  "targets": [
    {
      "target_name": "tunekit_cpu_kernels",
      "sources": [
        "native/addon.cc",
        "native/allocator.cc",
        "native/cpu-features.cc",
        "native/thread-pool.cc",
        "native/gemm.cc",
        "native/gemm-pack.cc",
        "native/matrix-vector.cc",
        "native/gemm-kernel-generic.cc",
        "native/gemm-kernel-avx2.cc",
        "native/gemm-kernel-avx512.cc",
        "native/gemm-kernel-neon.cc",
        "native/scatter-add.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/adamw.cc",
        "native/dropout.cc",
        "native/layernorm.cc",
        "native/bias-gelu.cc",
        "native/attention.cc",
        "native/sum-squares.cc",
        "native/softmax-cross-entropy.cc"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O2", "-O0"],
      "cflags_cc!": ["-O2", "-O0", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-O3", "-std=c++17", "-fvisibility=hidden", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-fvisibility=hidden", "-fno-math-errno"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] }
      }
    }
  ]
}
